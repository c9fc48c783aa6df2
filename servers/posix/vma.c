/*
 * Process memory maps (vma.h).
 */
#include <base/string.h>
#include <linux_abi/errno.h>
#include <rt/malloc.h>

#include "vma.h"

void vma_map_init(struct vma_map *m)
{
	m->v = NULL;
	m->n = m->cap = 0;
}

void vma_map_fini(struct vma_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].name);
	}
	free(m->v);
	vma_map_init(m);
}

static char *dup_name(const char *s)
{
	size_t len;
	char *d;

	if (!s) {
		return NULL;
	}
	len = strlen(s) + 1;
	d = malloc(len);
	if (d) {
		memcpy(d, s, len);
	}
	return d;
}

int vma_map_clone(struct vma_map *dst, const struct vma_map *src)
{
	vma_map_init(dst);
	if (!src->n) {
		return 0;
	}
	dst->v = malloc(src->n * sizeof(*dst->v));
	if (!dst->v) {
		return -LINUX_ENOMEM;
	}
	dst->cap = src->n;
	for (size_t i = 0; i < src->n; i++) {
		dst->v[i] = src->v[i];
		dst->v[i].name = dup_name(src->v[i].name);
		if (src->v[i].name && !dst->v[i].name) {
			dst->n = i;
			vma_map_fini(dst);
			return -LINUX_ENOMEM;
		}
		dst->n = i + 1;
	}
	return 0;
}

/* Room for @extra more areas. */
static int reserve(struct vma_map *m, size_t extra)
{
	size_t cap;
	struct vma *v;

	if (m->n + extra <= m->cap) {
		return 0;
	}
	cap = m->cap ? m->cap * 2 : 16;
	while (cap < m->n + extra) {
		cap *= 2;
	}
	v = realloc(m->v, cap * sizeof(*v));
	if (!v) {
		return -LINUX_ENOMEM;
	}
	m->v = v;
	m->cap = cap;
	return 0;
}

/* The first area ending after @addr (m->n if none). */
static size_t first_after(const struct vma_map *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->v[mid].end <= addr) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

/* Splits the area straddling @at (if any) in two at @at. Needs one free
 * slot (reserve first). */
static void split_at(struct vma_map *m, uint64_t at)
{
	size_t i = first_after(m, at);
	struct vma *a;

	if (i == m->n || m->v[i].start >= at) {
		return;
	}
	a = &m->v[i];
	memmove(a + 1, a, (m->n - i) * sizeof(*a));
	m->n++;
	/* a is the lower half, a + 1 the upper; the name is shared until
	 * duplicated below. */
	a->end = at;
	a[1].start = at;
	a[1].offset += at - a->start;
	a[1].name = dup_name(a->name);
}

/* Whether area @b can be folded into @a just below it, as Linux merges
 * neighbouring mappings of the same kind. */
static bool can_merge(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start || a->prot != b->prot || a->flags != b->flags) {
		return false;
	}
	if ((a->name == NULL) != (b->name == NULL) ||
	    (a->name && strcmp(a->name, b->name) != 0)) {
		return false;
	}
	return (a->flags & VMA_ANON) ||
	       (a->dev == b->dev && a->ino == b->ino &&
		a->offset + (a->end - a->start) == b->offset);
}

/* Merges areas [i, j] with their neighbours where they can be. */
static void merge_range(struct vma_map *m, size_t i, size_t j)
{
	size_t k = i ? i - 1 : 0;

	if (j + 1 >= m->n) {
		j = m->n ? m->n - 1 : 0;
	} else {
		j++;
	}
	while (k < j && k + 1 < m->n) {
		if (can_merge(&m->v[k], &m->v[k + 1])) {
			m->v[k].end = m->v[k + 1].end;
			free(m->v[k + 1].name);
			memmove(m->v + k + 1, m->v + k + 2,
				(m->n - k - 2) * sizeof(*m->v));
			m->n--;
			j--;
		} else {
			k++;
		}
	}
}

int vma_remove(struct vma_map *m, uint64_t start, uint64_t end)
{
	size_t i, j;

	if (reserve(m, 2)) {
		return -LINUX_ENOMEM;
	}
	split_at(m, start);
	split_at(m, end);
	i = first_after(m, start);
	for (j = i; j < m->n && m->v[j].start < end; j++) {
		free(m->v[j].name);
	}
	memmove(m->v + i, m->v + j, (m->n - j) * sizeof(*m->v));
	m->n -= j - i;
	return 0;
}

int vma_insert(struct vma_map *m, uint64_t start, uint64_t end,
	       const struct vma *tmpl)
{
	struct vma a = *tmpl;
	size_t i;

	if (start >= end) {
		return 0;
	}
	a.start = start;
	a.end = end;
	a.name = dup_name(tmpl->name);
	if ((tmpl->name && !a.name) || reserve(m, 3)) {
		free(a.name);
		return -LINUX_ENOMEM;
	}
	vma_remove(m, start, end); /* cannot fail: room reserved */
	i = first_after(m, start);
	memmove(m->v + i + 1, m->v + i, (m->n - i) * sizeof(*m->v));
	m->v[i] = a;
	m->n++;
	merge_range(m, i, i);
	return 0;
}

bool vma_covers(const struct vma_map *m, uint64_t start, uint64_t end)
{
	size_t i = first_after(m, start);
	uint64_t at = start;

	for (; i < m->n && at < end; i++) {
		if (m->v[i].start > at) {
			return false;
		}
		at = m->v[i].end;
	}
	return at >= end;
}

int vma_protect(struct vma_map *m, uint64_t start, uint64_t end,
		uint32_t prot)
{
	if (!vma_covers(m, start, end)) {
		return -LINUX_ENOMEM;
	}
	if (reserve(m, 2)) {
		return -LINUX_ENOMEM;
	}
	split_at(m, start);
	split_at(m, end);
	size_t i = first_after(m, start), j = i;

	for (; j < m->n && m->v[j].start < end; j++) {
		m->v[j].prot = prot;
	}
	if (j > i) {
		merge_range(m, i, j - 1);
	}
	return 0;
}

const struct vma *vma_find(const struct vma_map *m, uint64_t addr)
{
	size_t i = first_after(m, addr);

	return i < m->n && m->v[i].start <= addr ? &m->v[i] : NULL;
}

bool vma_is_free(const struct vma_map *m, uint64_t start, uint64_t end)
{
	size_t i = first_after(m, start);

	return i == m->n || m->v[i].start >= end;
}
