/*
 * Registry properties (registry.h): a tail of NUL-terminated "key=value"
 * strings. Everything here reads at most the @size bytes it is given and
 * trusts nothing in them, since a tail comes straight from a client;
 * matching and lookup assume a tail that passed registry_props_check.
 */
#include <base/string.h>
#include <registry/registry.h>

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static bool is_value_char(char c)
{
	return c >= 0x20 && c <= 0x7e;
}

/* Length of the key of pair @p (up to its '='). */
static size_t key_len(const char *p)
{
	return (size_t)(strchr(p, '=') - p);
}

/* Whether checked tail @props has a pair whose key is the @len bytes at
 * @key; stores that pair's value in *@value. */
static bool find_key(const char *props, size_t size, const char *key,
		     size_t len, const char **value)
{
	for (size_t off = 0; off < size;) {
		const char *p = props + off;
		size_t k = key_len(p);

		if (k == len && memcmp(p, key, len) == 0) {
			*value = p + k + 1;
			return true;
		}
		off += strlen(p) + 1;
	}
	return false;
}

err_t registry_props_check(const char *props, size_t size, unsigned *count)
{
	unsigned n = 0;

	if (size > REGISTRY_PROPS_MAX) {
		return ERR_TOO_BIG;
	}
	for (size_t off = 0; off < size;) {
		const char *p = props + off;
		size_t len = strnlen(p, size - off);
		size_t k = 0;
		const char *ignored;

		if (len == size - off) {
			return ERR_INVALID; /* no NUL before the end */
		}
		while (k < len && p[k] != '=') {
			if (!is_key_char(p[k])) {
				return ERR_INVALID;
			}
			k++;
		}
		if (k == len || k == 0) {
			return ERR_INVALID; /* no '=', or an empty key */
		}
		if (k > REGISTRY_KEY_MAX || len - k - 1 > REGISTRY_VALUE_MAX) {
			return ERR_TOO_BIG;
		}
		for (size_t v = k + 1; v < len; v++) {
			if (!is_value_char(p[v])) {
				return ERR_INVALID;
			}
		}
		if (++n > REGISTRY_PROP_COUNT_MAX) {
			return ERR_TOO_BIG;
		}
		/* The pairs before this one are checked already. */
		if (find_key(props, off, p, k, &ignored)) {
			return ERR_INVALID;
		}
		off += len + 1;
	}
	if (count) {
		*count = n;
	}
	return ERR_OK;
}

const char *registry_props_get(const char *props, size_t size,
			       const char *key)
{
	const char *value;

	return find_key(props, size, key, strlen(key), &value) ? value : NULL;
}

bool registry_props_match(const char *have, size_t have_size,
			  const char *want, size_t want_size)
{
	for (size_t off = 0; off < want_size;) {
		const char *p = want + off;
		size_t k = key_len(p);
		const char *value;

		if (!find_key(have, have_size, p, k, &value) ||
		    strcmp(value, p + k + 1) != 0) {
			return false;
		}
		off += strlen(p) + 1;
	}
	return true;
}

err_t registry_props_build(char *buf, size_t cap, const char *const *pairs,
			   size_t *size)
{
	size_t off = 0;

	for (size_t i = 0; pairs && pairs[i]; i++) {
		size_t len = strlen(pairs[i]);

		if (len + 1 > cap - off) {
			return ERR_TOO_BIG;
		}
		memcpy(buf + off, pairs[i], len + 1);
		off += len + 1;
	}
	*size = off;
	return registry_props_check(buf, off, NULL);
}
