/* BPF_MAP_TYPE_LPM_TRIE: longest-prefix match over keys {u32 prefixlen;
 * u8 data[]} (data big-endian bit order, 1..256 bytes). The structure is
 * Linux's: a binary trie whose nodes carry a prefix; intermediate nodes
 * (LPM_NODE_IM) only join two subtrees and hold no value. Writers take the
 * map's spin lock; readers walk child pointers with acquire loads inside a
 * read-side section; replaced and removed nodes go through defer_free.
 * get_next_key walks in postorder (children before parents, the 0 branch
 * first), as Linux. A full trie answers -ENOSPC. */
#include "core/maps/maps_impl.h"

#define LPM_DATA_SIZE_MAX 256u
#define LPM_DATA_SIZE_MIN 1u
#define LPM_KEY_SIZE_MIN (4u + LPM_DATA_SIZE_MIN)
#define LPM_KEY_SIZE_MAX (4u + LPM_DATA_SIZE_MAX)
#define LPM_CREATE_FLAG_MASK (BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_ACCESS_MASK)
#define LPM_NODE_IM 1u

struct lpm_node {
    struct lpm_node *child[2];   /* atomic */
    struct bpfrt_runtime *rt;
    uint32_t alloc_size;
    uint32_t prefixlen;
    uint32_t flags;              /* atomic: LPM_NODE_IM */
    uint32_t pad;
    unsigned char data[] __attribute__((aligned(8))); /* data_size bytes, value at value_off */
};

struct bpfrt_lpm {
    struct bpfrt_map map;
    uint32_t lock;
    uint32_t n_entries;
    uint32_t data_size, max_prefixlen, value_off, node_size;
    struct lpm_node *root;       /* atomic */
};

static struct bpfrt_lpm *to_lpm(struct bpfrt_map *map) { return (struct bpfrt_lpm *)map; }

static inline struct lpm_node *ld(struct lpm_node *const *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void st(struct lpm_node **p, struct lpm_node *n) { __atomic_store_n(p, n, __ATOMIC_RELEASE); }
static inline bool is_im(const struct lpm_node *n) { return __atomic_load_n(&n->flags, __ATOMIC_ACQUIRE) & LPM_NODE_IM; }

static inline uint32_t key_prefixlen(const void *key)
{
    uint32_t p;
    bpfrt_memcpy(&p, key, 4);
    return p;
}
static inline const unsigned char *key_data(const void *key) { return (const unsigned char *)key + 4; }

static inline unsigned extract_bit(const unsigned char *data, uint32_t index)
{
    return (data[index / 8] >> (7 - index % 8)) & 1;
}

/* Number of leading bits node and key share, up to both prefix lengths. */
static uint32_t prefix_match(const struct bpfrt_lpm *t, const struct lpm_node *node,
                             const unsigned char *data, uint32_t prefixlen)
{
    uint32_t limit = node->prefixlen < prefixlen ? node->prefixlen : prefixlen;
    uint32_t bits = 0;
    for (uint32_t i = 0; i < t->data_size && bits < limit; i++) {
        unsigned char diff = node->data[i] ^ data[i];
        if (diff) {
            bits += (uint32_t)__builtin_clz((unsigned)diff) - 24;
            break;
        }
        bits += 8;
    }
    return bits < limit ? bits : limit;
}

static int lpm_alloc_check(struct bpfrt_runtime *rt, const union bpf_attr *attr)
{
    if (attr->max_entries == 0 || !(attr->map_flags & BPF_F_NO_PREALLOC) ||
        (attr->map_flags & ~LPM_CREATE_FLAG_MASK) || !bpfrt_map_flags_access_ok(attr->map_flags) ||
        attr->key_size < LPM_KEY_SIZE_MIN || attr->key_size > LPM_KEY_SIZE_MAX ||
        attr->value_size < 1 ||
        attr->value_size > BPFRT_KMALLOC_MAX_SIZE - LPM_DATA_SIZE_MAX - sizeof(struct lpm_node))
        return -BPFRT_EINVAL;
    return 0;
}

static int lpm_alloc(struct bpfrt_runtime *rt, const union bpf_attr *attr,
                     struct bpfrt_map *inner, struct bpfrt_map **out)
{
    struct bpfrt_lpm *t = bpfrt_zalloc(rt, sizeof(*t));
    if (!t)
        return -BPFRT_ENOMEM;
    bpfrt_map_init_common(&t->map, &bpfrt_lpm_trie_ops, rt, attr);
    t->data_size = attr->key_size - 4;
    t->max_prefixlen = t->data_size * 8;
    t->value_off = (uint32_t)bpfrt_round_up(t->data_size, 8);
    t->node_size = (uint32_t)(sizeof(struct lpm_node) + t->value_off + bpfrt_round_up(attr->value_size, 8));
    *out = &t->map;
    return 0;
}

static void node_free_cb(void *arg)
{
    struct lpm_node *n = arg;
    bpfrt_free(n->rt, n, n->alloc_size);
}

static void lpm_free(struct bpfrt_map *map)
{
    /* Iterative teardown: rotate left children up until a node has none. */
    struct lpm_node *n = to_lpm(map)->root;
    while (n) {
        struct lpm_node *l = n->child[0];
        if (l) {
            n->child[0] = l->child[1];
            l->child[1] = n;
            n = l;
        } else {
            struct lpm_node *r = n->child[1];
            node_free_cb(n);
            n = r;
        }
    }
    bpfrt_free(map->rt, map, sizeof(struct bpfrt_lpm));
}

static struct lpm_node *lpm_find(struct bpfrt_lpm *t, const void *key)
{
    const unsigned char *data = key_data(key);
    uint32_t plen = key_prefixlen(key);
    struct lpm_node *found = NULL;
    for (struct lpm_node *n = ld(&t->root); n;) {
        uint32_t m = prefix_match(t, n, data, plen);
        if (m == t->max_prefixlen) {
            found = n;
            break;
        }
        if (m < n->prefixlen)
            break;
        if (!is_im(n))
            found = n;
        n = ld(&n->child[extract_bit(data, n->prefixlen)]);
    }
    return found;
}

static unsigned char *node_value(struct bpfrt_lpm *t, struct lpm_node *n) { return n->data + t->value_off; }

static int lpm_sys_lookup(struct bpfrt_map *map, const void *key, void *value, uint64_t flags)
{
    struct bpfrt_lpm *t = to_lpm(map);
    struct lpm_node *n = lpm_find(t, key);
    if (!n)
        return -BPFRT_ENOENT;
    bpfrt_map_copy_out(value, node_value(t, n), map->value_size);
    return 0;
}

static void *lpm_lookup_elem(struct bpfrt_map *map, const void *key, unsigned cpu)
{
    struct bpfrt_lpm *t = to_lpm(map);
    if (key_prefixlen(key) > t->max_prefixlen)
        return NULL;
    struct lpm_node *n = lpm_find(t, key);
    return n ? node_value(t, n) : NULL;
}

static struct lpm_node *node_new(struct bpfrt_lpm *t, const void *key, const void *value, bool with_value)
{
    struct lpm_node *n = bpfrt_zalloc(t->map.rt, t->node_size);
    if (!n)
        return NULL;
    n->rt = t->map.rt;
    n->alloc_size = t->node_size;
    n->prefixlen = key_prefixlen(key);
    bpfrt_memcpy(n->data, key_data(key), t->data_size);
    if (with_value)
        bpfrt_memcpy(node_value(t, n), value, t->map.value_size);
    return n;
}

/* A new entry: -ENOENT for BPF_EXIST, -ENOSPC when full. */
static int check_add(struct bpfrt_lpm *t, uint64_t flags)
{
    if (flags == BPF_EXIST)
        return -BPFRT_ENOENT;
    if (t->n_entries == t->map.max_entries)
        return -BPFRT_ENOSPC;
    t->n_entries++;
    return 0;
}

static long lpm_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags)
{
    struct bpfrt_lpm *t = to_lpm(map);
    if (flags > BPF_EXIST)
        return -BPFRT_EINVAL;
    uint32_t plen = key_prefixlen(key);
    if (plen > t->max_prefixlen)
        return -BPFRT_EINVAL;
    const unsigned char *data = key_data(key);
    struct lpm_node *new_node = node_new(t, key, value, true);
    if (!new_node)
        return -BPFRT_ENOMEM;
    struct lpm_node *im = NULL, *to_free = NULL;
    int err = 0;
    bpfrt_raw_spin_lock(&t->lock);
    struct lpm_node **slot = &t->root, *node;
    uint32_t m = 0;
    while ((node = *slot)) {
        m = prefix_match(t, node, data, plen);
        if (node->prefixlen != m || node->prefixlen == plen)
            break;
        slot = &node->child[extract_bit(data, node->prefixlen)];
    }
    if (!node) {
        err = check_add(t, flags);
        if (!err)
            st(slot, new_node);
    } else if (node->prefixlen == m) { /* exact: replace */
        if (!is_im(node))
            err = flags == BPF_NOEXIST ? -BPFRT_EEXIST : 0;
        else
            err = check_add(t, flags);
        if (!err) {
            new_node->child[0] = node->child[0];
            new_node->child[1] = node->child[1];
            st(slot, new_node);
            to_free = node;
        }
    } else if (!(err = check_add(t, flags))) {
        if (m == plen) { /* the new prefix is an ancestor of node */
            new_node->child[extract_bit(node->data, m)] = node;
            st(slot, new_node);
        } else { /* they part at bit m: join them under an intermediate node */
            im = bpfrt_zalloc(map->rt, t->node_size);
            if (!im) {
                t->n_entries--;
                err = -BPFRT_ENOMEM;
            } else {
                im->rt = map->rt;
                im->alloc_size = t->node_size;
                im->prefixlen = m;
                im->flags = LPM_NODE_IM;
                bpfrt_memcpy(im->data, node->data, t->data_size);
                unsigned b = extract_bit(data, m);
                im->child[b] = new_node;
                im->child[!b] = node;
                st(slot, im);
            }
        }
    }
    bpfrt_raw_spin_unlock(&t->lock);
    if (err)
        node_free_cb(new_node);
    if (to_free)
        bpfrt_map_defer_free(map->rt, node_free_cb, to_free);
    return err;
}

static int lpm_sys_update(struct bpfrt_map *map, const void *key, const void *value, uint64_t flags)
{
    return (int)lpm_update(map, key, value, flags);
}

static long lpm_update_elem(struct bpfrt_map *map, const void *key, const void *value,
                            uint64_t flags, unsigned cpu)
{
    return lpm_update(map, key, value, flags);
}

static long lpm_delete(struct bpfrt_map *map, const void *key)
{
    struct bpfrt_lpm *t = to_lpm(map);
    uint32_t plen = key_prefixlen(key);
    if (plen > t->max_prefixlen)
        return -BPFRT_EINVAL;
    const unsigned char *data = key_data(key);
    struct lpm_node *free1 = NULL, *free2 = NULL;
    int err = 0;
    bpfrt_raw_spin_lock(&t->lock);
    struct lpm_node **trim = &t->root, **trim2 = trim, *parent = NULL, *node;
    uint32_t m = 0;
    while ((node = *trim)) {
        m = prefix_match(t, node, data, plen);
        if (node->prefixlen != m || node->prefixlen == plen)
            break;
        parent = node;
        trim2 = trim;
        trim = &node->child[extract_bit(data, node->prefixlen)];
    }
    if (!node || node->prefixlen != plen || node->prefixlen != m || is_im(node)) {
        err = -BPFRT_ENOENT;
    } else {
        t->n_entries--;
        if (node->child[0] && node->child[1]) {
            /* still joins two subtrees: keep it as an intermediate node */
            __atomic_or_fetch(&node->flags, LPM_NODE_IM, __ATOMIC_RELEASE);
        } else if (parent && is_im(parent) && !node->child[0] && !node->child[1]) {
            /* a leaf under an intermediate node: the sibling takes the parent's place */
            st(trim2, parent->child[node == parent->child[0] ? 1 : 0]);
            free1 = parent;
            free2 = node;
        } else {
            st(trim, node->child[0] ? node->child[0] : node->child[1]);
            free1 = node;
        }
    }
    bpfrt_raw_spin_unlock(&t->lock);
    if (free1)
        bpfrt_map_defer_free(map->rt, node_free_cb, free1);
    if (free2)
        bpfrt_map_defer_free(map->rt, node_free_cb, free2);
    return err;
}

static int lpm_sys_delete(struct bpfrt_map *map, const void *key) { return (int)lpm_delete(map, key); }

static int lpm_get_next_key(struct bpfrt_map *map, const void *key, void *next_key)
{
    struct bpfrt_lpm *t = to_lpm(map);
    struct lpm_node *search_root = ld(&t->root), *next = NULL, *node;
    if (!search_root)
        return -BPFRT_ENOENT;
    if (key && key_prefixlen(key) <= t->max_prefixlen) {
        const unsigned char *data = key_data(key);
        uint32_t plen = key_prefixlen(key), m = 0;
        size_t stack_size = (size_t)(t->max_prefixlen + 2) * sizeof(struct lpm_node *);
        struct lpm_node **stack = bpfrt_zalloc(map->rt, stack_size);
        if (!stack)
            return -BPFRT_ENOMEM;
        int sp = -1;
        for (node = search_root; node;) {
            stack[++sp] = node;
            m = prefix_match(t, node, data, plen);
            if (node->prefixlen != m || node->prefixlen == plen)
                break;
            node = ld(&node->child[extract_bit(data, node->prefixlen)]);
        }
        if (node && node->prefixlen == m && !is_im(node)) {
            /* found: the next in postorder is the leftmost node of the right
             * sibling subtree, else the first non-intermediate ancestor */
            node = stack[sp];
            search_root = NULL;
            while (sp > 0) {
                struct lpm_node *parent = stack[sp - 1];
                if (ld(&parent->child[0]) == node && (search_root = ld(&parent->child[1])))
                    break;
                if (!is_im(parent)) {
                    next = parent;
                    break;
                }
                node = parent;
                sp--;
            }
            bpfrt_free(map->rt, stack, stack_size);
            if (!next && !search_root)
                return -BPFRT_ENOENT;
        } else {
            bpfrt_free(map->rt, stack, stack_size); /* not in the trie: start from the first */
        }
    }
    if (!next) { /* leftmost in postorder under search_root */
        for (node = search_root; node;) {
            if (is_im(node)) {
                node = ld(&node->child[0]);
            } else {
                next = node;
                node = ld(&node->child[0]);
                if (!node)
                    node = ld(&next->child[1]);
            }
        }
    }
    uint32_t plen = next->prefixlen;
    bpfrt_memcpy(next_key, &plen, 4);
    bpfrt_memcpy((unsigned char *)next_key + 4, next->data, t->data_size);
    return 0;
}

const struct bpfrt_map_ops bpfrt_lpm_trie_ops = {
    .alloc_check = lpm_alloc_check,
    .alloc = lpm_alloc,
    .free = lpm_free,
    .meta_equal = bpfrt_map_meta_equal,
    .sys_lookup = lpm_sys_lookup,
    .sys_update = lpm_sys_update,
    .sys_delete = lpm_sys_delete,
    .get_next_key = lpm_get_next_key,
    .lookup_elem = lpm_lookup_elem,
    .update_elem = lpm_update_elem,
    .delete_elem = lpm_delete,
};
