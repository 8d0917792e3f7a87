/*
 * lib/secret.c - key file, sealing and digests, on libsodium.
 */
#define _POSIX_C_SOURCE 200809L
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KDF_CONTEXT "GbgCasel"  /* crypto_kdf_CONTEXTBYTES = 8 */

_Static_assert(sizeof(crypto_hash_sha256_state) <= sizeof(((struct pl_sha256 *)0)->state),
	       "pl_sha256 too small");
_Static_assert(crypto_kdf_KEYBYTES == PL_KEY_BYTES, "key size");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == PL_KEY_BYTES, "seal key size");

enum pl_err pl_secret_init(struct pl_diag *d)
{
	if (sodium_init() < 0)
		return pl_diag_set(d, PL_ESOFTWARE, NULL, 0, "libsodium failed to initialise");
	return PL_OK;
}

static enum pl_err make_parent(const char *path, struct pl_diag *d)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return PL_OK;
	*slash = '\0';
	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return PL_OK;
	return pl_diag_set(d, PL_ECANTCREAT, path, 0,
			   "cannot create key directory '%s': %s", dir, strerror(errno));
}

/* Writes a new key to a temporary file, then link()s it into place, so a
 * run killed at any moment leaves either no key file or a whole one; if
 * another run made one first, that one is kept. */
static enum pl_err create_key(const char *path, struct pl_diag *d)
{
	unsigned char raw[PL_KEY_BYTES];
	char hex[2 * PL_KEY_BYTES + 2];
	char tmp[4096];
	enum pl_err err;
	int fd;

	err = make_parent(path, d);
	if (err)
		return err;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return pl_diag_set(d, PL_ECANTCREAT, path, 0,
				   "cannot create key file: %s", strerror(errno));
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	hex[2 * PL_KEY_BYTES] = '\n';
	if (write(fd, hex, 2 * PL_KEY_BYTES + 1) != 2 * PL_KEY_BYTES + 1 || fsync(fd) != 0)
		err = pl_diag_set(d, PL_ECANTCREAT, path, 0,
				  "cannot write key file: %s", strerror(errno));
	sodium_memzero(hex, sizeof(hex));
	if (close(fd) != 0 && !err)
		err = pl_diag_set(d, PL_ECANTCREAT, path, 0,
				  "cannot write key file: %s", strerror(errno));
	if (!err && link(tmp, path) != 0 && errno != EEXIST)
		err = pl_diag_set(d, PL_ECANTCREAT, path, 0,
				  "cannot create key file: %s", strerror(errno));
	unlink(tmp);
	return err;
}

/* The key file is exactly 64 hex digits, optionally followed by one LF. */
static enum pl_err read_key(int fd, const char *path, struct pl_key *key,
			    struct pl_diag *d)
{
	char hex[256];
	size_t bin_len = 0;
	const char *end = NULL;
	enum pl_err err = PL_OK;
	ssize_t n;

	n = read(fd, hex, sizeof(hex) - 1);
	if (n >= 0)
		hex[n] = '\0';
	if (n < 0)
		return pl_diag_set(d, PL_EIO, path, 0, "cannot read key file: %s", strerror(errno));
	if ((n != 2 * PL_KEY_BYTES && !(n == 2 * PL_KEY_BYTES + 1 && hex[n - 1] == '\n')) ||
	    sodium_hex2bin(key->master, PL_KEY_BYTES, hex, 2 * PL_KEY_BYTES, NULL, &bin_len,
			   &end) != 0 || bin_len != PL_KEY_BYTES)
		err = pl_diag_set(d, PL_ECONFIG, path, 0,
				  "key file is not 64 hex digits; restore it from backup");
	sodium_memzero(hex, sizeof(hex));
	return err;
}

enum pl_err pl_key_load(const char *path, int create, struct pl_key *key,
			struct pl_diag *d)
{
	enum pl_err err = PL_OK;
	struct stat st;
	int fd = -1;

	if (create && access(path, F_OK) != 0 && errno == ENOENT) {
		err = create_key(path, d);
		if (err)
			goto cleanup;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW);
	if (fd < 0) {
		err = pl_diag_set(d, PL_ECONFIG, path, 0, "cannot open key file: %s", strerror(errno));
		goto cleanup;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		err = pl_diag_set(d, PL_ECONFIG, path, 0, "key file is not a regular file");
		goto cleanup;
	}
	if (st.st_mode & 077) {
		err = pl_diag_set(d, PL_ECONFIG, path, 0,
				  "key file may be read by others (mode %03o); run 'chmod 600 %s'",
				  (unsigned)(st.st_mode & 0777), path);
		goto cleanup;
	}
	err = read_key(fd, path, key, d);
cleanup:
	if (fd >= 0)
		close(fd);
	if (err)
		pl_key_wipe(key);
	return err;
}

void pl_key_wipe(struct pl_key *key) { sodium_memzero(key->master, sizeof(key->master)); }

void pl_key_derive(const struct pl_key *key, enum pl_subkey id,
		   unsigned char out[PL_KEY_BYTES])
{
	crypto_kdf_derive_from_key(out, PL_KEY_BYTES, (uint64_t)id, KDF_CONTEXT, key->master);
}

void pl_nonce_pool_init(struct pl_nonce_pool *pool) { pool->left = 0; }

void pl_nonce_pool_release(struct pl_nonce_pool *pool)
{
	sodium_memzero(pool->buf, sizeof(pool->buf));
	pool->left = 0;
}

void pl_nonce_take(struct pl_nonce_pool *pool, unsigned char *out, size_t len)
{
	unsigned char *p;

	if (len > sizeof(pool->buf))
		abort(); /* a caller's mistake */
	if (len > pool->left || pool->left > sizeof(pool->buf)) {
		randombytes_buf(pool->buf, sizeof(pool->buf));
		pool->left = sizeof(pool->buf);
	}
	p = pool->buf + sizeof(pool->buf) - pool->left;
	memcpy(out, p, len);
	sodium_memzero(p, len); /* never handed out twice */
	pool->left -= len;
}

/* Seals with a nonce from pool, or from randombytes when pool is NULL. */
static void seal(const unsigned char subkey[PL_KEY_BYTES], struct pl_nonce_pool *pool,
		 const void *msg, size_t len, const void *ad, size_t ad_len, struct pl_buf *out)
{
	const size_t npub = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
	unsigned long long clen = 0;
	unsigned char *p;

	pl_buf_reset(out);
	pl_buf_grow(out, npub + len + crypto_aead_xchacha20poly1305_ietf_ABYTES);
	p = (unsigned char *)out->data;
	if (pool)
		pl_nonce_take(pool, p, npub);
	else
		randombytes_buf(p, npub);
	crypto_aead_xchacha20poly1305_ietf_encrypt(p + npub, &clen, msg, len, ad, ad_len,
						   NULL, p, subkey);
	out->len = npub + (size_t)clen;
}

void pl_seal(const unsigned char subkey[PL_KEY_BYTES], const void *msg,
	     size_t len, struct pl_buf *out)
{
	seal(subkey, NULL, msg, len, NULL, 0, out);
}

void pl_seal_pooled(const unsigned char subkey[PL_KEY_BYTES], struct pl_nonce_pool *pool,
		    const void *msg, size_t len, struct pl_buf *out)
{
	seal(subkey, pool, msg, len, NULL, 0, out);
}

void pl_seal_ad(const unsigned char subkey[PL_KEY_BYTES], struct pl_nonce_pool *pool,
		const void *msg, size_t len, const void *ad, size_t ad_len, struct pl_buf *out)
{
	seal(subkey, pool, msg, len, ad, ad_len, out);
}

int pl_unseal(const unsigned char subkey[PL_KEY_BYTES], const void *blob,
	      size_t len, struct pl_buf *out)
{
	return pl_unseal_ad(subkey, blob, len, NULL, 0, out);
}

int pl_unseal_ad(const unsigned char subkey[PL_KEY_BYTES], const void *blob, size_t len,
		 const void *ad, size_t ad_len, struct pl_buf *out)
{
	const size_t npub = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
	const unsigned char *b = blob;
	unsigned long long mlen = 0;

	pl_buf_reset(out);
	if (len < npub + crypto_aead_xchacha20poly1305_ietf_ABYTES)
		return -1;
	pl_buf_grow(out, len);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)out->data, &mlen, NULL,
						       b + npub, len - npub, ad, ad_len,
						       b, subkey) != 0)
		return -1;
	out->len = (size_t)mlen;
	out->data[out->len] = '\0';
	return 0;
}

void pl_pseudonym(const unsigned char subkey[PL_KEY_BYTES], const void *msg, size_t len,
		  char out[PL_PSEUDONYM_HEX])
{
	unsigned char h[16];

	crypto_generichash(h, sizeof(h), msg, len, subkey, PL_KEY_BYTES);
	sodium_bin2hex(out, PL_PSEUDONYM_HEX, h, sizeof(h));
}

uint64_t pl_hash64(const unsigned char subkey[PL_KEY_BYTES], const void *msg, size_t len)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v = 0;

	_Static_assert(crypto_shorthash_KEYBYTES <= PL_KEY_BYTES, "the subkey holds a SipHash key");
	crypto_shorthash(h, msg, len, subkey);
	for (size_t i = 0; i < sizeof(h); i++)
		v = v << 8 | h[i];
	return v;
}

void pl_sha256_init(struct pl_sha256 *h)
{
	crypto_hash_sha256_init((crypto_hash_sha256_state *)(void *)h->state);
}

void pl_sha256_update(struct pl_sha256 *h, const void *data, size_t len)
{
	crypto_hash_sha256_update((crypto_hash_sha256_state *)(void *)h->state, data, len);
}

void pl_sha256_hex(struct pl_sha256 *h, char hex[PL_SHA256_HEX])
{
	unsigned char dig[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_final((crypto_hash_sha256_state *)(void *)h->state, dig);
	sodium_bin2hex(hex, PL_SHA256_HEX, dig, sizeof(dig));
}

enum pl_err pl_sha256_file(const char *path, char hex[PL_SHA256_HEX],
			   struct pl_diag *d)
{
	struct pl_sha256 h;
	char buf[65536];
	enum pl_err err = PL_OK;
	FILE *fp;
	size_t n;

	fp = fopen(path, "rb");
	if (!fp)
		return pl_diag_set(d, PL_ENOINPUT, path, 0, "cannot open: %s", strerror(errno));
	pl_sha256_init(&h);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		pl_sha256_update(&h, buf, n);
	if (ferror(fp))
		err = pl_diag_set(d, PL_EIO, path, 0, "read error: %s", strerror(errno));
	fclose(fp);
	if (!err)
		pl_sha256_hex(&h, hex);
	return err;
}
