/*
 * tests/unit/test_secret.c - lib/secret: the key file (created 0600 with its
 * parent directory, reloaded identical, refused when others may read it or
 * when malformed), sealing round trips and forgeries, subkeys, and SHA-256
 * against the FIPS 180-2 test vectors.
 *
 * Every test works in its own mkdtemp directory, removed in the teardown.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/types.h>

#include "secret.h"
#include "unit.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

#define SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA256_448 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define SHA256_MILLION_A "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
#define MSG_448 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"

/* A valid key file body: bytes 0x00..0x1F in hex. */
#define KEY_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static int setup(void **state)
{
	struct pl_diag d;

	umask(022);
	if (pl_secret_init(&d) != PL_OK)
		return -1;
	return unit_tmp_setup(state);
}

static int teardown(void **state) { return unit_tmp_teardown(state); }

static int is_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void write_key(const char *path, const char *body, mode_t mode)
{
	assert_int_equal(unit_write_str(path, body), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* ---- key file ----------------------------------------------------------- */

static void test_key__created_0600_with_missing_parent_and_reloaded(void **state)
{
	char dir[512], path[512];
	struct pl_key a, b;
	struct pl_diag d;
	struct stat st;
	char *text;
	size_t len = 0;

	unit_path(state, "secret", dir, sizeof(dir));
	unit_path(state, "secret/key", path, sizeof(path));
	pl_diag_clear(&d);
	assert_int_equal(pl_key_load(path, 1, &a, &d), PL_OK);
	assert_int_equal(d.err, PL_OK);
	assert_false(is_zero(a.master, sizeof(a.master)));

	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);

	/* 64 lower-case hex digits and a newline, the hex of the key */
	text = unit_read(path, &len);
	assert_non_null(text);
	assert_int_equal(len, 65);
	assert_int_equal(text[64], '\n');
	for (size_t i = 0; i < PL_KEY_BYTES; i++) {
		char two[3];

		snprintf(two, sizeof(two), "%02x", a.master[i]);
		assert_memory_equal(text + 2 * i, two, 2);
	}
	free(text);

	/* loading again, with or without create, gives the same key */
	assert_int_equal(pl_key_load(path, 0, &b, &d), PL_OK);
	assert_memory_equal(a.master, b.master, PL_KEY_BYTES);
	memset(&b, 0, sizeof(b));
	assert_int_equal(pl_key_load(path, 1, &b, &d), PL_OK);
	assert_memory_equal(a.master, b.master, PL_KEY_BYTES);
}

static void test_key__two_creations_give_different_keys(void **state)
{
	char p1[512], p2[512];
	struct pl_key a, b;
	struct pl_diag d;

	unit_path(state, "k1", p1, sizeof(p1));
	unit_path(state, "k2", p2, sizeof(p2));
	assert_int_equal(pl_key_load(p1, 1, &a, &d), PL_OK);
	assert_int_equal(pl_key_load(p2, 1, &b, &d), PL_OK);
	assert_memory_not_equal(a.master, b.master, PL_KEY_BYTES);
}

static void test_key__existing_file_is_loaded_not_replaced(void **state)
{
	char path[512];
	struct pl_key k;
	struct pl_diag d;

	unit_path(state, "key", path, sizeof(path));
	write_key(path, KEY_HEX "\n", 0600);
	assert_int_equal(pl_key_load(path, 1, &k, &d), PL_OK);
	for (size_t i = 0; i < PL_KEY_BYTES; i++)
		assert_int_equal(k.master[i], i);
}

static void test_key__missing_without_create_is_config_error(void **state)
{
	char path[512];
	struct pl_key k;
	struct pl_diag d;
	struct stat st;

	unit_path(state, "absent/key", path, sizeof(path));
	memset(&k, 0xAA, sizeof(k));
	pl_diag_clear(&d);
	assert_int_equal(pl_key_load(path, 0, &k, &d), PL_ECONFIG);
	assert_int_equal(d.err, PL_ECONFIG);
	assert_string_equal(d.file, path);
	assert_non_null(strstr(d.msg, "cannot open key file"));
	assert_true(is_zero(k.master, sizeof(k.master)));
	assert_int_not_equal(stat(path, &st), 0); /* nothing made */
}

static void test_key__readable_by_others_is_refused(void **state)
{
	static const struct {
		mode_t mode;
		enum pl_err err;
		const char *in_msg;
	} cases[] = {
		{ 0600, PL_OK, NULL },
		{ 0400, PL_OK, NULL },
		{ 0700, PL_OK, NULL },
		{ 0640, PL_ECONFIG, "(mode 640)" },
		{ 0604, PL_ECONFIG, "(mode 604)" },
		{ 0644, PL_ECONFIG, "(mode 644)" },
		{ 0660, PL_ECONFIG, "(mode 660)" },
		{ 0610, PL_ECONFIG, "(mode 610)" },
		{ 0601, PL_ECONFIG, "(mode 601)" },
		{ 0602, PL_ECONFIG, "(mode 602)" },
	};
	char path[512];

	unit_path(state, "key", path, sizeof(path));
	for (size_t i = 0; i < N_OF(cases); i++) {
		struct pl_key k;
		struct pl_diag d;
		enum pl_err err;

		unlink(path);
		write_key(path, KEY_HEX "\n", cases[i].mode);
		memset(&k, 0xAA, sizeof(k));
		pl_diag_clear(&d);
		err = pl_key_load(path, 1, &k, &d);
		if (err != cases[i].err)
			fail_msg("mode %03o: err %d, want %d (%s)", (unsigned)cases[i].mode, err,
				 cases[i].err, d.msg);
		if (err) {
			assert_string_equal(d.file, path);
			assert_non_null(strstr(d.msg, cases[i].in_msg));
			assert_non_null(strstr(d.msg, "chmod 600"));
			assert_true(is_zero(k.master, sizeof(k.master)));
		} else {
			assert_int_equal(k.master[31], 0x1f);
		}
	}
}

static void test_key__malformed_file_is_config_error(void **state)
{
	static const struct {
		const char *what;
		const char *body;
		enum pl_err err;
	} cases[] = {
		{ "valid with newline", KEY_HEX "\n", PL_OK },
		{ "valid without newline", KEY_HEX, PL_OK },
		{ "valid upper case", "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F\n",
		  PL_OK },
		{ "empty", "", PL_ECONFIG },
		{ "only a newline", "\n", PL_ECONFIG },
		{ "short", "abc\n", PL_ECONFIG },
		{ "63 digits", "00010203040506070809" "0a0b0c0d0e0f10111213"
		  "1415161718191a1b1c1d1e1\n", PL_ECONFIG },
		{ "66 digits", KEY_HEX "20\n", PL_ECONFIG },
		{ "two keys", KEY_HEX "\n" KEY_HEX "\n", PL_ECONFIG },
		{ "blank line after", KEY_HEX "\n\n", PL_ECONFIG },
		{ "newline inside", "000102030405060708090a0b0c0d0e0f\n"
		  "101112131415161718191a1b1c1d1e1f\n", PL_ECONFIG },
		{ "not hex", "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
		  PL_ECONFIG },
		{ "trailing text", KEY_HEX "\nx", PL_ECONFIG },
		{ "trailing space", KEY_HEX " \n", PL_ECONFIG },
		{ "CRLF", KEY_HEX "\r\n", PL_ECONFIG },
		{ "leading space", " " KEY_HEX "\n", PL_ECONFIG },
	};
	char path[512];

	unit_path(state, "key", path, sizeof(path));
	for (size_t i = 0; i < N_OF(cases); i++) {
		struct pl_key k;
		struct pl_diag d;
		enum pl_err err;

		unlink(path);
		write_key(path, cases[i].body, 0600);
		memset(&k, 0xAA, sizeof(k));
		pl_diag_clear(&d);
		err = pl_key_load(path, 1, &k, &d);
		if (err != cases[i].err)
			fail_msg("%s: err %d, want %d", cases[i].what, err, cases[i].err);
		if (err) {
			assert_string_equal(d.file, path);
			assert_string_equal(d.msg, "key file is not 64 hex digits; restore it from backup");
			assert_true(is_zero(k.master, sizeof(k.master)));
		} else {
			for (size_t b = 0; b < PL_KEY_BYTES; b++)
				assert_int_equal(k.master[b], b);
		}
	}
}

/*
 * Regression: only the first 67 bytes of the key file were read, so text
 * after 64 hex digits and three or more newlines was never seen and a
 * malformed file was accepted.
 */
static void test_key__text_after_blank_lines_is_malformed(void **state)
{
	char path[512];
	struct pl_key k;
	struct pl_diag d;
	enum pl_err err;

	unit_path(state, "key", path, sizeof(path));
	write_key(path, KEY_HEX "\n\n\n\nnot a key\n", 0600);
	pl_diag_clear(&d);
	err = pl_key_load(path, 0, &k, &d);
	if (err != PL_ECONFIG)
		fail_msg("key file with trailing text: err %d, want PL_ECONFIG", err);
	assert_string_equal(d.msg, "key file is not 64 hex digits; restore it from backup");
}

static void test_key__not_a_regular_file_is_refused(void **state)
{
	char dir[512], target[512], link[512];
	struct pl_key k;
	struct pl_diag d;

	/* a directory */
	unit_path(state, "keydir", dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(pl_key_load(dir, 1, &k, &d), PL_ECONFIG);
	assert_string_equal(d.msg, "key file is not a regular file");
	/* a symbolic link, even to a good key, is not followed */
	unit_path(state, "real", target, sizeof(target));
	unit_path(state, "link", link, sizeof(link));
	write_key(target, KEY_HEX "\n", 0600);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(pl_key_load(link, 1, &k, &d), PL_ECONFIG);
	assert_non_null(strstr(d.msg, "cannot open key file"));
}

static void test_key__cannot_create_is_cantcreat(void **state)
{
	char file[512], path[512];
	struct pl_key k;
	struct pl_diag d;
	struct stat st;

	/* only one missing level is made: a/b/key with a/ missing fails */
	unit_path(state, "a/b/key", path, sizeof(path));
	pl_diag_clear(&d);
	assert_int_equal(pl_key_load(path, 1, &k, &d), PL_ECANTCREAT);
	assert_string_equal(d.file, path);
	assert_non_null(strstr(d.msg, "cannot create key directory"));
	unit_path(state, "a", file, sizeof(file));
	assert_int_not_equal(stat(file, &st), 0);
}

static void test_key__parent_is_a_file_is_config_error(void **state)
{
	char file[512], path[512];
	struct pl_key k;
	struct pl_diag d;

	/* a key path through a regular file is a wrong setting, not a full disk */
	unit_path(state, "plain", file, sizeof(file));
	assert_int_equal(unit_write_str(file, "x"), 0);
	unit_path(state, "plain/key", path, sizeof(path));
	pl_diag_clear(&d);
	assert_int_equal(pl_key_load(path, 1, &k, &d), PL_ECONFIG);
	assert_string_equal(d.file, path);
	assert_non_null(strstr(d.msg, "cannot open key file"));
}

static void test_key__wipe_zeroes(void **state)
{
	struct pl_key k;

	(void)state;
	memset(&k, 0x5A, sizeof(k));
	pl_key_wipe(&k);
	assert_true(is_zero(k.master, sizeof(k.master)));
}

/* ---- subkeys and sealing ----------------------------------------------- */

static void fixed_key(struct pl_key *k, unsigned char base)
{
	for (size_t i = 0; i < PL_KEY_BYTES; i++)
		k->master[i] = (unsigned char)(base + i);
}

static void test_derive__deterministic_and_distinct_per_purpose(void **state)
{
	unsigned char seal1[PL_KEY_BYTES], seal2[PL_KEY_BYTES], pseud[PL_KEY_BYTES];
	unsigned char other[PL_KEY_BYTES];
	struct pl_key k, k2;

	(void)state;
	fixed_key(&k, 0);
	fixed_key(&k2, 1);
	pl_key_derive(&k, PL_SUBKEY_SEAL, seal1);
	pl_key_derive(&k, PL_SUBKEY_SEAL, seal2);
	pl_key_derive(&k, PL_SUBKEY_PSEUDONYM, pseud);
	pl_key_derive(&k2, PL_SUBKEY_SEAL, other);
	assert_memory_equal(seal1, seal2, PL_KEY_BYTES);
	assert_memory_not_equal(seal1, pseud, PL_KEY_BYTES);
	assert_memory_not_equal(seal1, other, PL_KEY_BYTES);
	assert_memory_not_equal(seal1, k.master, PL_KEY_BYTES);
}

/* SipHash-2-4's reference vectors (key 00..0f; messages empty and 00..0e),
 * read as big-endian integers of the hash's bytes; and that a key and a
 * message each change the hash. */
static void test_hash64__siphash_vectors_and_keyed(void **state)
{
	unsigned char key[PL_KEY_BYTES] = { 0 }, msg[15];

	(void)state;
	for (int i = 0; i < 16; i++)
		key[i] = (unsigned char)i;
	for (int i = 0; i < 15; i++)
		msg[i] = (unsigned char)i;
	assert_true(pl_hash64(key, "", 0) == 0x310e0edd47db6f72ULL);
	assert_true(pl_hash64(key, msg, 15) == 0xe545be4961ca29a1ULL);
	assert_true(pl_hash64(key, "ANNA", 4) != pl_hash64(key, "ANNE", 4));
	key[0] ^= 1;
	assert_true(pl_hash64(key, "", 0) != 0x310e0edd47db6f72ULL);
}

enum { NPUB = 24, ABYTES = 16 };  /* XChaCha20-Poly1305 nonce and tag */

static void test_seal__round_trip(void **state)
{
	static const struct {
		const char *msg;
		size_t len;
	} cases[] = {
		{ "", 0 },
		{ "19900101-1234", 13 },
		{ "Anna\x1f" "Svensson\x1f" "417 05", 20 },
		{ "a\0b", 3 },
	};
	unsigned char sub[PL_KEY_BYTES];
	struct pl_buf blob, out;
	struct pl_key k;

	(void)state;
	fixed_key(&k, 7);
	pl_key_derive(&k, PL_SUBKEY_SEAL, sub);
	pl_buf_init(&blob);
	pl_buf_init(&out);
	for (size_t i = 0; i < N_OF(cases); i++) {
		pl_seal(sub, cases[i].msg, cases[i].len, &blob);
		assert_int_equal(blob.len, NPUB + cases[i].len + ABYTES);
		if (cases[i].len)
			assert_memory_not_equal(blob.data + NPUB, cases[i].msg, cases[i].len);
		pl_buf_append(&out, "stale", 5);
		assert_int_equal(pl_unseal(sub, blob.data, blob.len, &out), 0);
		assert_int_equal(out.len, cases[i].len);
		assert_memory_equal(out.data, cases[i].msg, cases[i].len);
		assert_int_equal(out.data[out.len], '\0');
	}
	pl_buf_release(&blob);
	pl_buf_release(&out);
}

static void test_seal__same_message_twice_differs(void **state)
{
	unsigned char sub[PL_KEY_BYTES];
	struct pl_buf a, b;
	struct pl_key k;

	(void)state;
	fixed_key(&k, 0);
	pl_key_derive(&k, PL_SUBKEY_SEAL, sub);
	pl_buf_init(&a);
	pl_buf_init(&b);
	pl_seal(sub, "19900101-1234", 13, &a);
	pl_seal(sub, "19900101-1234", 13, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_not_equal(a.data, b.data, NPUB);             /* fresh nonce */
	assert_memory_not_equal(a.data + NPUB, b.data + NPUB, 13); /* so fresh ciphertext */
	pl_buf_release(&a);
	pl_buf_release(&b);
}

/* Nonces from a pool: every seal opens, no nonce comes twice (over several
 * refills), and a zeroed pool is empty, never a source of zero nonces. */
static void test_seal_pooled__round_trip_and_unique_nonces(void **state)
{
	enum { N = 1000 };
	static unsigned char nonces[N][NPUB];
	static const unsigned char zero[NPUB];
	unsigned char sub[PL_KEY_BYTES];
	struct pl_nonce_pool pool;
	struct pl_buf blob, out;
	struct pl_key k;
	char msg[32];

	(void)state;
	fixed_key(&k, 3);
	pl_key_derive(&k, PL_SUBKEY_SEAL, sub);
	memset(&pool, 0, sizeof(pool));
	pl_buf_init(&blob);
	pl_buf_init(&out);
	for (int i = 0; i < N; i++) {
		int len = snprintf(msg, sizeof(msg), "19900101-%04d", i);

		pl_seal_pooled(sub, &pool, msg, (size_t)len, &blob);
		assert_int_equal(blob.len, NPUB + (size_t)len + ABYTES);
		assert_int_equal(pl_unseal(sub, blob.data, blob.len, &out), 0);
		assert_memory_equal(out.data, msg, (size_t)len);
		memcpy(nonces[i], blob.data, NPUB);
		assert_memory_not_equal(nonces[i], zero, NPUB);
	}
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < N; j++)
			if (memcmp(nonces[i], nonces[j], NPUB) == 0)
				fail_msg("nonce %d repeats nonce %d", j, i);
	pl_nonce_pool_release(&pool);
	pl_buf_release(&blob);
	pl_buf_release(&out);
}

/* pl_nonce_take hands out each byte once: a take that does not fit in what
 * is left refills; a take of the whole pool works. */
static void test_nonce_take__refills_and_never_repeats(void **state)
{
	static unsigned char a[PL_NONCE_POOL_BYTES], b[PL_NONCE_POOL_BYTES];
	unsigned char x[24], y[24];
	struct pl_nonce_pool pool;

	(void)state;
	pl_nonce_pool_init(&pool);
	pl_nonce_take(&pool, a, sizeof(a));
	assert_int_equal(pool.left, 0);
	pl_nonce_take(&pool, b, sizeof(b));
	assert_memory_not_equal(a, b, sizeof(a));
	pl_nonce_take(&pool, x, sizeof(x));
	assert_int_equal(pool.left, PL_NONCE_POOL_BYTES - sizeof(x));
	pl_nonce_take(&pool, y, sizeof(y));
	assert_memory_not_equal(x, y, sizeof(x));
	pool.left = 10;  /* less than a nonce left: refill */
	pl_nonce_take(&pool, y, sizeof(y));
	assert_int_equal(pool.left, PL_NONCE_POOL_BYTES - sizeof(y));
	pl_nonce_pool_release(&pool);
	assert_int_equal(pool.left, 0);
}

static void test_unseal__tampered_truncated_or_wrong_key_fails(void **state)
{
	const char *msg = "19900101-1234";
	unsigned char sub[PL_KEY_BYTES], pseud[PL_KEY_BYTES], other[PL_KEY_BYTES];
	struct pl_buf blob, out;
	struct pl_key k, k2;
	size_t n;

	(void)state;
	fixed_key(&k, 0);
	fixed_key(&k2, 100);
	pl_key_derive(&k, PL_SUBKEY_SEAL, sub);
	pl_key_derive(&k, PL_SUBKEY_PSEUDONYM, pseud);
	pl_key_derive(&k2, PL_SUBKEY_SEAL, other);
	pl_buf_init(&blob);
	pl_buf_init(&out);
	pl_seal(sub, msg, strlen(msg), &blob);
	n = blob.len;
	assert_int_equal(n, NPUB + 13 + ABYTES);

	/* one flipped bit anywhere: nonce, ciphertext, tag */
	for (size_t pos = 0; pos < n; pos++) {
		blob.data[pos] ^= 0x01;
		pl_buf_append(&out, "x", 1);
		if (pl_unseal(sub, blob.data, n, &out) != -1)
			fail_msg("flipped byte %zu accepted", pos);
		assert_int_equal(out.len, 0);
		blob.data[pos] ^= 0x01;
	}
	assert_int_equal(pl_unseal(sub, blob.data, n, &out), 0);
	/* truncated, down to nothing */
	assert_int_equal(pl_unseal(sub, blob.data, n - 1, &out), -1);
	assert_int_equal(pl_unseal(sub, blob.data, NPUB + ABYTES, &out), -1);
	assert_int_equal(pl_unseal(sub, blob.data, NPUB + ABYTES - 1, &out), -1);
	assert_int_equal(pl_unseal(sub, blob.data, 0, &out), -1);
	/* a key of another purpose or another key file */
	assert_int_equal(pl_unseal(pseud, blob.data, n, &out), -1);
	assert_int_equal(pl_unseal(other, blob.data, n, &out), -1);
	assert_int_equal(out.len, 0);
	pl_buf_release(&blob);
	pl_buf_release(&out);
}

/* Associated data is authenticated, not sealed: the blob opens with the same
 * data and the same key only (not with other data, none, or a shorter
 * prefix of it), holds the message's length plus nonce and tag only, and
 * pl_seal's blob (no data) does not open with data. */
static void test_seal_ad__opens_with_the_same_data_only(void **state)
{
	const char *msg = "Testina\x1f" "Fiktivsson";
	const unsigned char ad[16] = { 1, 0, 0, 0, 0, 0, 0, 0, 2 }, other[16] = { 2 };
	unsigned char sub[PL_KEY_BYTES];
	struct pl_nonce_pool pool;
	struct pl_buf blob, out;
	struct pl_key k;

	(void)state;
	fixed_key(&k, 0);
	pl_key_derive(&k, PL_SUBKEY_SEAL, sub);
	pl_nonce_pool_init(&pool);
	pl_buf_init(&blob);
	pl_buf_init(&out);
	pl_seal_ad(sub, &pool, msg, strlen(msg), ad, sizeof(ad), &blob);
	assert_int_equal(blob.len, NPUB + strlen(msg) + ABYTES);
	assert_int_equal(pl_unseal_ad(sub, blob.data, blob.len, ad, sizeof(ad), &out), 0);
	assert_string_equal(out.data, msg);
	assert_int_equal(pl_unseal_ad(sub, blob.data, blob.len, other, sizeof(other), &out), -1);
	assert_int_equal(pl_unseal_ad(sub, blob.data, blob.len, ad, sizeof(ad) - 1, &out), -1);
	assert_int_equal(pl_unseal(sub, blob.data, blob.len, &out), -1);
	assert_int_equal(out.len, 0);
	pl_seal(sub, msg, strlen(msg), &blob);
	assert_int_equal(pl_unseal_ad(sub, blob.data, blob.len, ad, sizeof(ad), &out), -1);
	assert_int_equal(pl_unseal_ad(sub, blob.data, blob.len, NULL, 0, &out), 0);
	assert_string_equal(out.data, msg);
	pl_nonce_pool_release(&pool);
	pl_buf_release(&blob);
	pl_buf_release(&out);
}

/* ---- SHA-256 ------------------------------------------------------------ */

static void test_sha256__fips_vectors(void **state)
{
	static const struct {
		const char *msg;
		const char *hex;
	} cases[] = {
		{ "abc", SHA256_ABC },
		{ "", SHA256_EMPTY },
		{ MSG_448, SHA256_448 },
	};

	(void)state;
	for (size_t i = 0; i < N_OF(cases); i++) {
		struct pl_sha256 h;
		char hex[PL_SHA256_HEX];
		size_t len = strlen(cases[i].msg);

		/* in one piece */
		pl_sha256_init(&h);
		pl_sha256_update(&h, cases[i].msg, len);
		memset(hex, 'X', sizeof(hex));
		pl_sha256_hex(&h, hex);
		assert_string_equal(hex, cases[i].hex);
		/* byte by byte */
		pl_sha256_init(&h);
		for (size_t b = 0; b < len; b++)
			pl_sha256_update(&h, cases[i].msg + b, 1);
		pl_sha256_hex(&h, hex);
		assert_string_equal(hex, cases[i].hex);
	}
}

static void test_sha256_file__digests_whole_file(void **state)
{
	char path[512], hex[PL_SHA256_HEX];
	struct pl_diag d;
	char *big;

	unit_path(state, "f", path, sizeof(path));
	assert_int_equal(unit_write_str(path, "abc"), 0);
	assert_int_equal(pl_sha256_file(path, hex, &d), PL_OK);
	assert_string_equal(hex, SHA256_ABC);

	assert_int_equal(unit_write_str(path, ""), 0);
	assert_int_equal(pl_sha256_file(path, hex, &d), PL_OK);
	assert_string_equal(hex, SHA256_EMPTY);

	/* a million 'a': many reads of the 64 KiB buffer */
	big = malloc(1000000);
	assert_non_null(big);
	memset(big, 'a', 1000000);
	assert_int_equal(unit_write(path, big, 1000000), 0);
	free(big);
	assert_int_equal(pl_sha256_file(path, hex, &d), PL_OK);
	assert_string_equal(hex, SHA256_MILLION_A);
}

static void test_sha256_file__missing_or_unreadable(void **state)
{
	char path[512], hex[PL_SHA256_HEX];
	struct pl_diag d;

	unit_path(state, "nope.csv", path, sizeof(path));
	pl_diag_clear(&d);
	assert_int_equal(pl_sha256_file(path, hex, &d), PL_ENOINPUT);
	assert_string_equal(d.file, path);
	assert_non_null(strstr(d.msg, "cannot open"));
	/* a directory opens but cannot be read */
	unit_path(state, "", path, sizeof(path));
	assert_int_equal(pl_sha256_file(path, hex, &d), PL_EIO);
	assert_non_null(strstr(d.msg, "read error"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_key__created_0600_with_missing_parent_and_reloaded),
		T(test_key__two_creations_give_different_keys),
		T(test_key__existing_file_is_loaded_not_replaced),
		T(test_key__missing_without_create_is_config_error),
		T(test_key__readable_by_others_is_refused),
		T(test_key__malformed_file_is_config_error),
		T(test_key__text_after_blank_lines_is_malformed),
		T(test_key__not_a_regular_file_is_refused),
		T(test_key__cannot_create_is_cantcreat),
		T(test_key__parent_is_a_file_is_config_error),
		T(test_key__wipe_zeroes),
		T(test_derive__deterministic_and_distinct_per_purpose),
		T(test_hash64__siphash_vectors_and_keyed),
		T(test_seal__round_trip),
		T(test_seal__same_message_twice_differs),
		T(test_seal_pooled__round_trip_and_unique_nonces),
		T(test_nonce_take__refills_and_never_repeats),
		T(test_unseal__tampered_truncated_or_wrong_key_fails),
		T(test_seal_ad__opens_with_the_same_data_only),
		T(test_sha256__fips_vectors),
		T(test_sha256_file__digests_whole_file),
		T(test_sha256_file__missing_or_unreadable),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
