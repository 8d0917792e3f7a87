/*
 * lib/secret.h - the secret key file, and what is derived from it: sealing
 * (authenticated encryption) of sensitive columns, keyed pseudonyms; plus
 * the plain SHA-256 digests that identify input and mapping files.
 *
 * The key file holds 64 hex digits (32 random bytes).  It is created with
 * mode 0600 on first use and refused when group or others may read it.
 * Subkeys are derived with libsodium's crypto_kdf, one per purpose, so a
 * sealed value and a pseudonym never share a key.
 */
#ifndef PL_SECRET_H
#define PL_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include "pl.h"

#define PL_KEY_BYTES 32
#define PL_SHA256_HEX 65  /* 64 hex digits and NUL */

enum pl_subkey {
	PL_SUBKEY_SEAL = 1,       /* sealing sensitive columns in the database */
	PL_SUBKEY_PSEUDONYM = 2,  /* person_ref from a normalised identity number */
	PL_SUBKEY_LINKAGE = 3     /* dedup's stored name frequencies and fingerprints */
};

struct pl_key {
	unsigned char master[PL_KEY_BYTES];
};

/* Initialises libsodium; call once before any other function here. */
enum pl_err pl_secret_init(struct pl_diag *d);

/* Loads the key at path; when the file is missing and create is set, makes
 * it (and a missing parent directory, mode 0700) with mode 0600.  Returns
 * PL_ECONFIG for a key readable by group/others or malformed, PL_ECANTCREAT
 * when it cannot be created. */
enum pl_err pl_key_load(const char *path, int create, struct pl_key *key,
			struct pl_diag *d);
void pl_key_wipe(struct pl_key *key);
void pl_key_derive(const struct pl_key *key, enum pl_subkey id,
		   unsigned char out[PL_KEY_BYTES]);

/* Seals msg into out (reset first): nonce || ciphertext || tag.  The nonce
 * is 24 random bytes (XChaCha20: random nonces are safe). */
void pl_seal(const unsigned char subkey[PL_KEY_BYTES], const void *msg,
	     size_t len, struct pl_buf *out);

/* Random bytes fetched from the system a buffer at a time, for the nonces of
 * many seals: one getrandom() per 170 nonces instead of one per value.  The
 * nonces are as random and as unique as pl_seal's.  Caller-owned; a pool
 * must not be shared across fork(). */
#define PL_NONCE_POOL_BYTES (170 * 24)
struct pl_nonce_pool {
	unsigned char buf[PL_NONCE_POOL_BYTES];
	size_t left;              /* unused bytes, at the end of buf; 0: empty */
};
/* Makes the pool empty (as does zeroing it): the first take fills it. */
void pl_nonce_pool_init(struct pl_nonce_pool *pool);
/* Wipes the unused bytes. */
void pl_nonce_pool_release(struct pl_nonce_pool *pool);
/* len (at most PL_NONCE_POOL_BYTES) random bytes into out, each used once. */
void pl_nonce_take(struct pl_nonce_pool *pool, unsigned char *out, size_t len);
/* pl_seal with the nonce from pool. */
void pl_seal_pooled(const unsigned char subkey[PL_KEY_BYTES], struct pl_nonce_pool *pool,
		    const void *msg, size_t len, struct pl_buf *out);
/* Opens a sealed blob into out (reset first); returns -1 if it was forged,
 * truncated or sealed with another key. */
int pl_unseal(const unsigned char subkey[PL_KEY_BYTES], const void *blob,
	      size_t len, struct pl_buf *out);
/* The same with associated data: ad is authenticated, not sealed, and must
 * be given again to open the blob (a blob moved to another place whose ad
 * differs does not open). */
void pl_seal_ad(const unsigned char subkey[PL_KEY_BYTES], struct pl_nonce_pool *pool,
		const void *msg, size_t len, const void *ad, size_t ad_len, struct pl_buf *out);
int pl_unseal_ad(const unsigned char subkey[PL_KEY_BYTES], const void *blob, size_t len,
		 const void *ad, size_t ad_len, struct pl_buf *out);

#define PL_PSEUDONYM_HEX 33  /* 32 hex digits and NUL */

/* Keyed pseudonym of msg: BLAKE2b-128 keyed with the pseudonym subkey, hex.
 * The same key and message always give the same pseudonym. */
void pl_pseudonym(const unsigned char subkey[PL_KEY_BYTES], const void *msg, size_t len,
		  char out[PL_PSEUDONYM_HEX]);

/* A keyed 64-bit hash of msg (SipHash-2-4 under the subkey's first 16
 * bytes): for keys a table may hold where a plain hash of a short value,
 * such as a name, could be reversed by hashing a dictionary. */
uint64_t pl_hash64(const unsigned char subkey[PL_KEY_BYTES], const void *msg, size_t len);

/* Streaming SHA-256. */
struct pl_sha256 {
	_Alignas(16) unsigned char state[128]; /* crypto_hash_sha256_state, opaque here */
};
void pl_sha256_init(struct pl_sha256 *h);
void pl_sha256_update(struct pl_sha256 *h, const void *data, size_t len);
void pl_sha256_hex(struct pl_sha256 *h, char hex[PL_SHA256_HEX]);
/* Digest of a whole file; PL_ENOINPUT/PL_EIO on failure. */
enum pl_err pl_sha256_file(const char *path, char hex[PL_SHA256_HEX],
			   struct pl_diag *d);

#endif
