/* BTF parser and validator: turns raw BTF bytes (as BTF_LOAD receives them, or
 * as clang leaves them in an object file) into an indexed, checked type table.
 * Every offset, length and type reference is checked before use, so the rest
 * of bpfrt can walk the types without re-checking bounds. Messages follow the
 * spirit of Linux's btf.c ("Invalid magic", "Invalid name", ...). */
#include "core/btf/btf_internal.h"

static void btf_log(struct bpfrt_strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void btf_log(struct bpfrt_strbuf *sb, const char *fmt, ...)
{
    if (!sb || !sb->buf)
        return;
    va_list ap;
    va_start(ap, fmt);
    bpfrt_strbuf_vprintf(sb, fmt, ap);
    va_end(ap);
    bpfrt_strbuf_puts(sb, "\n");
}

/* Bytes of kind-specific data after the btf_type, or -1 for an unknown kind. */
static long btf_extra_size(const struct btf_type *t)
{
    uint32_t vlen = btf_vlen(t);
    switch (btf_kind(t)) {
    case BTF_KIND_INT: return 4;
    case BTF_KIND_ARRAY: return sizeof(struct btf_array);
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION: return (long)vlen * (long)sizeof(struct btf_member);
    case BTF_KIND_ENUM: return (long)vlen * (long)sizeof(struct btf_enum);
    case BTF_KIND_ENUM64: return (long)vlen * (long)sizeof(struct btf_enum64);
    case BTF_KIND_FUNC_PROTO: return (long)vlen * (long)sizeof(struct btf_param);
    case BTF_KIND_VAR: return sizeof(struct btf_var);
    case BTF_KIND_DATASEC: return (long)vlen * (long)sizeof(struct btf_var_secinfo);
    case BTF_KIND_DECL_TAG: return sizeof(struct btf_decl_tag);
    case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
    case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case BTF_KIND_FLOAT:
    case BTF_KIND_TYPE_TAG:
        return 0;
    default:
        return -1;
    }
}

static const char *const kind_names[NR_BTF_KINDS] = {
    "UNKNOWN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF",
    "VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT",
    "DECL_TAG", "TYPE_TAG", "ENUM64",
};

const char *bpfrt_btf_kind_name(uint32_t kind)
{
    return kind < NR_BTF_KINDS ? kind_names[kind] : "UNKNOWN";
}

static bool str_ok(const struct bpfrt_btf *btf, uint32_t off)
{
    return off < btf->str_len;
}

static bool is_ident_char(char c, bool first)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
        return true;
    return !first && c >= '0' && c <= '9';
}

/* Name rules: C identifiers (Linux's btf_name_valid_identifier); variables
 * may also contain '.' (clang names function-scope statics "func.var");
 * DATASEC and base type names ("unsigned int") any printable text
 * (DECL_TAG values: any text at all). */
enum name_rule { NAME_IDENT, NAME_IDENT_DOT, NAME_PRINTABLE };

static bool name_valid(const struct bpfrt_btf *btf, uint32_t off, enum name_rule rule)
{
    const char *s = btf->strs + off;
    if (!*s)
        return false;
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (rule == NAME_PRINTABLE) {
            if (c < ' ' || c > '~')
                return false;
        } else if (!is_ident_char(c, n == 0) && !(rule == NAME_IDENT_DOT && c == '.')) {
            return false;
        }
        if (n >= 127 && rule != NAME_PRINTABLE)
            return false;
    }
    return true;
}

struct btf_check {
    struct bpfrt_btf *btf;
    struct bpfrt_strbuf *log;
    unsigned flags;
};

static int bad_type(struct btf_check *c, uint32_t id, const char *what)
{
    const struct btf_type *t = c->btf->types[id];
    btf_log(c->log, "[%u] %s %s", id, bpfrt_btf_kind_name(btf_kind(t)), what);
    return -BPFRT_EINVAL;
}

static bool ref_ok(const struct bpfrt_btf *btf, uint32_t ref)
{
    return ref < btf->nr_types;
}

/* Checks what can be checked about one type on its own (meta data). */
static int check_meta(struct btf_check *c, uint32_t id)
{
    struct bpfrt_btf *btf = c->btf;
    const struct btf_type *t = btf->types[id];
    uint32_t kind = btf_kind(t), vlen = btf_vlen(t);

    if (!str_ok(btf, t->name_off))
        return bad_type(c, id, "Invalid name_offset");
    if (t->info & 0x60ff0000u)
        return bad_type(c, id, "Invalid btf_info");
    bool named = t->name_off != 0;

    switch (kind) {
    case BTF_KIND_INT: {
        uint32_t v = *(const uint32_t *)btf_type_extra(t);
        if (vlen || btf_kflag(t))
            return bad_type(c, id, "vlen != 0");
        /* base type names have spaces ("unsigned int"): any printable name */
        if (!named || !name_valid(btf, t->name_off, NAME_PRINTABLE))
            return bad_type(c, id, "Invalid name");
        if (v & 0xf0000000u)
            return bad_type(c, id, "Invalid int_data");
        uint32_t bits = BTF_INT_BITS(v), boff = BTF_INT_OFFSET(v), enc = BTF_INT_ENCODING(v);
        if (bits > 128 || boff + bits > 128 || boff + bits > t->size * 8u)
            return bad_type(c, id, "nr_bits exceeds type_size");
        if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8 && t->size != 16)
            return bad_type(c, id, "Invalid type_size");
        if (enc & ~(uint32_t)(BTF_INT_SIGNED | BTF_INT_CHAR | BTF_INT_BOOL) ||
            ((enc & BTF_INT_SIGNED) + !!(enc & BTF_INT_CHAR) + !!(enc & BTF_INT_BOOL)) > 1)
            return bad_type(c, id, "Unsupported encoding");
        return 0;
    }
    case BTF_KIND_FLOAT:
        if (vlen || btf_kflag(t))
            return bad_type(c, id, "vlen != 0");
        if (!named || !name_valid(btf, t->name_off, NAME_PRINTABLE))
            return bad_type(c, id, "Invalid name");
        if (t->size != 2 && t->size != 4 && t->size != 8 && t->size != 12 && t->size != 16)
            return bad_type(c, id, "Invalid type_size");
        return 0;
    case BTF_KIND_PTR: case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
        if (vlen || btf_kflag(t))
            return bad_type(c, id, "vlen != 0");
        if (named)
            return bad_type(c, id, "Invalid name");
        if (!ref_ok(btf, t->type))
            return bad_type(c, id, "Invalid type_id");
        return 0;
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_TYPE_TAG:
        if (vlen || (kind == BTF_KIND_TYPEDEF && btf_kflag(t)))
            return bad_type(c, id, "vlen != 0");
        if (!named || !name_valid(btf, t->name_off, kind == BTF_KIND_TYPE_TAG ? NAME_PRINTABLE : NAME_IDENT))
            return bad_type(c, id, "Invalid name");
        if (!ref_ok(btf, t->type))
            return bad_type(c, id, "Invalid type_id");
        return 0;
    case BTF_KIND_FWD:
        if (vlen)
            return bad_type(c, id, "vlen != 0");
        if (!named || !name_valid(btf, t->name_off, NAME_IDENT))
            return bad_type(c, id, "Invalid name");
        return 0;
    case BTF_KIND_ARRAY: {
        const struct btf_array *a = btf_type_extra(t);
        if (vlen || btf_kflag(t) || t->size)
            return bad_type(c, id, "vlen != 0");
        if (named)
            return bad_type(c, id, "Invalid name");
        if (!ref_ok(btf, a->type) || !ref_ok(btf, a->index_type) || a->index_type == 0)
            return bad_type(c, id, "Invalid elem or index type");
        return 0;
    }
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION: {
        if (named && !name_valid(btf, t->name_off, NAME_IDENT))
            return bad_type(c, id, "Invalid name");
        const struct btf_member *m = btf_members(t);
        for (uint32_t i = 0; i < vlen; i++) {
            if (!str_ok(btf, m[i].name_off) ||
                (m[i].name_off && !name_valid(btf, m[i].name_off, NAME_IDENT)))
                return bad_type(c, id, "Invalid member name");
            if (!ref_ok(btf, m[i].type) || m[i].type == 0)
                return bad_type(c, id, "Invalid member type_id");
            uint32_t bit_off = btf_member_bit_offset(t, i);
            uint32_t bits = btf_member_bitfield_size(t, i);
            if (kind == BTF_KIND_UNION && bit_off)
                return bad_type(c, id, "Invalid member bits_offset");
            if ((uint64_t)bit_off + bits > (uint64_t)t->size * 8)
                return bad_type(c, id, "Member exceeds struct_size");
        }
        return 0;
    }
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64: {
        /* an ENUM may be 8 bytes too: clang before ENUM64 (e.g. clang 14)
         * encodes a 64-bit enum that way, and Linux accepts it */
        if (t->size != 1 && t->size != 2 && t->size != 4 && t->size != 8)
            return bad_type(c, id, "Unexpected size");
        if (named && !name_valid(btf, t->name_off, NAME_IDENT))
            return bad_type(c, id, "Invalid name");
        for (uint32_t i = 0; i < vlen; i++) {
            uint32_t noff = kind == BTF_KIND_ENUM
                                ? ((const struct btf_enum *)btf_type_extra(t))[i].name_off
                                : ((const struct btf_enum64 *)btf_type_extra(t))[i].name_off;
            if (!str_ok(btf, noff) || !name_valid(btf, noff, NAME_IDENT))
                return bad_type(c, id, "Invalid name");
        }
        return 0;
    }
    case BTF_KIND_FUNC:
        /* extern functions exist only in object files (loaders resolve them) */
        if (vlen > (c->flags & BPFRT_BTF_F_OBJECT ? BTF_FUNC_EXTERN : BTF_FUNC_GLOBAL) || btf_kflag(t))
            return bad_type(c, id, "Invalid func linkage");
        if (!named || !name_valid(btf, t->name_off, NAME_IDENT))
            return bad_type(c, id, "Invalid name");
        if (!ref_ok(btf, t->type))
            return bad_type(c, id, "Invalid type_id");
        return 0;
    case BTF_KIND_FUNC_PROTO: {
        if (named || btf_kflag(t))
            return bad_type(c, id, "Invalid name");
        if (!ref_ok(btf, t->type))
            return bad_type(c, id, "Invalid return type");
        const struct btf_param *p = btf_type_extra(t);
        for (uint32_t i = 0; i < vlen; i++) {
            if (!str_ok(btf, p[i].name_off) ||
                (p[i].name_off && !name_valid(btf, p[i].name_off, NAME_IDENT)))
                return bad_type(c, id, "Invalid arg name");
            if (!ref_ok(btf, p[i].type))
                return bad_type(c, id, "Invalid arg type_id");
            /* void only as the last "..." argument */
            if (p[i].type == 0 && (i != vlen - 1 || p[i].name_off))
                return bad_type(c, id, "Invalid arg#");
        }
        return 0;
    }
    case BTF_KIND_VAR: {
        const struct btf_var *v = btf_type_extra(t);
        if (vlen || btf_kflag(t))
            return bad_type(c, id, "vlen != 0");
        if (!named || !name_valid(btf, t->name_off, NAME_IDENT_DOT))
            return bad_type(c, id, "Invalid name");
        if (!ref_ok(btf, t->type) || t->type == 0)
            return bad_type(c, id, "Invalid type_id");
        if (v->linkage > (c->flags & BPFRT_BTF_F_OBJECT ? BTF_VAR_GLOBAL_EXTERN : BTF_VAR_GLOBAL_ALLOCATED))
            return bad_type(c, id, "Linkage not supported");
        return 0;
    }
    case BTF_KIND_DATASEC: {
        if (btf_kflag(t))
            return bad_type(c, id, "Invalid btf_info kind_flag");
        if (!named || !name_valid(btf, t->name_off, NAME_PRINTABLE))
            return bad_type(c, id, "Invalid name");
        if (!t->size && !(c->flags & BPFRT_BTF_F_OBJECT))
            return bad_type(c, id, "Invalid size");
        const struct btf_var_secinfo *s = btf_secinfos(t);
        uint64_t last_end = 0;
        for (uint32_t i = 0; i < vlen; i++) {
            if (!ref_ok(btf, s[i].type) || s[i].type == 0)
                return bad_type(c, id, "Invalid type_id");
            if (c->flags & BPFRT_BTF_F_OBJECT)
                continue;
            if (!s[i].size || (uint64_t)s[i].offset + s[i].size > t->size)
                return bad_type(c, id, "Invalid offset+size");
            if (s[i].offset < last_end)
                return bad_type(c, id, "Invalid offset");
            last_end = (uint64_t)s[i].offset + s[i].size;
        }
        return 0;
    }
    case BTF_KIND_DECL_TAG: {
        const struct btf_decl_tag *d = btf_type_extra(t);
        if (vlen)
            return bad_type(c, id, "vlen != 0");
        /* btf_decl_tag_check_meta: any non-empty value (Linux's selftests
         * put tabs in theirs: __jited("...\t...")) */
        if (!named || !btf->strs[t->name_off])
            return bad_type(c, id, "Invalid value");
        if (!ref_ok(btf, t->type) || t->type == 0)
            return bad_type(c, id, "Invalid type_id");
        if (d->component_idx < -1)
            return bad_type(c, id, "Invalid component_idx");
        return 0;
    }
    default:
        btf_log(c->log, "[%u] Invalid kind:%u", id, kind);
        return -BPFRT_EINVAL;
    }
}

/* Second pass: checks that need the referenced types (what a member or a
 * variable points at must be a sized data type, FUNC must point at
 * FUNC_PROTO, modifier chains must end). */
static bool is_data_kind(uint32_t kind)
{
    return kind == BTF_KIND_INT || kind == BTF_KIND_PTR || kind == BTF_KIND_ARRAY ||
           kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION || kind == BTF_KIND_ENUM ||
           kind == BTF_KIND_FLOAT || kind == BTF_KIND_ENUM64;
}

static int check_refs(struct btf_check *c, uint32_t id)
{
    struct bpfrt_btf *btf = c->btf;
    const struct btf_type *t = btf->types[id];
    uint32_t kind = btf_kind(t);
    switch (kind) {
    case BTF_KIND_PTR: case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPEDEF: case BTF_KIND_TYPE_TAG: {
        /* the chain must end: no loops through modifiers */
        uint32_t cur = t->type, steps = 0;
        while (cur) {
            const struct btf_type *r = btf->types[cur];
            uint32_t k = btf_kind(r);
            if (k != BTF_KIND_VOLATILE && k != BTF_KIND_CONST && k != BTF_KIND_RESTRICT &&
                k != BTF_KIND_TYPEDEF && k != BTF_KIND_TYPE_TAG)
                break;
            if (++steps > BTF_MAX_RESOLVE_DEPTH)
                return bad_type(c, id, "Loop detected");
            cur = r->type;
        }
        if (cur && kind != BTF_KIND_PTR) {
            uint32_t k = btf_kind(btf->types[cur]);
            if (k == BTF_KIND_FUNC || k == BTF_KIND_VAR || k == BTF_KIND_DATASEC ||
                k == BTF_KIND_DECL_TAG)
                return bad_type(c, id, "Invalid type_id");
        }
        return 0;
    }
    case BTF_KIND_ARRAY: {
        const struct btf_array *a = btf_type_extra(t);
        uint32_t e = bpfrt_btf_skip_mods(btf, a->type);
        if (!e || !is_data_kind(btf_kind(btf->types[e])))
            return bad_type(c, id, "Invalid elem");
        uint32_t ix = bpfrt_btf_skip_mods(btf, a->index_type);
        if (!ix || btf_kind(btf->types[ix]) != BTF_KIND_INT)
            return bad_type(c, id, "Invalid index");
        return 0;
    }
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION: {
        const struct btf_member *m = btf_members(t);
        for (uint32_t i = 0; i < btf_vlen(t); i++) {
            uint32_t r = bpfrt_btf_skip_mods(btf, m[i].type);
            if (!r || !is_data_kind(btf_kind(btf->types[r])))
                return bad_type(c, id, "Invalid member");
            if (btf_member_bitfield_size(t, i) == 0) {
                long sz = bpfrt_btf_type_size(btf, m[i].type);
                if (sz < 0 || (uint64_t)btf_member_bit_offset(t, i) / 8 + (uint64_t)sz > t->size)
                    return bad_type(c, id, "Member exceeds struct_size");
            }
        }
        return 0;
    }
    case BTF_KIND_FUNC: {
        const struct btf_type *p = bpfrt_btf_type_by_id(btf, t->type);
        if (!p || btf_kind(p) != BTF_KIND_FUNC_PROTO)
            return bad_type(c, id, "Invalid type_id");
        return 0;
    }
    case BTF_KIND_VAR: {
        uint32_t r = bpfrt_btf_skip_mods(btf, t->type);
        if (!r || !is_data_kind(btf_kind(btf->types[r])))
            return bad_type(c, id, "Invalid type_id");
        return 0;
    }
    case BTF_KIND_DATASEC: {
        const struct btf_var_secinfo *s = btf_secinfos(t);
        for (uint32_t i = 0; i < btf_vlen(t); i++) {
            uint32_t k = btf_kind(btf->types[s[i].type]);
            /* clang lists extern kfuncs in .ksyms; Linux takes only VARs */
            if (k != BTF_KIND_VAR && !((c->flags & BPFRT_BTF_F_OBJECT) && k == BTF_KIND_FUNC))
                return bad_type(c, id, "Invalid type");
        }
        return 0;
    }
    default:
        return 0;
    }
}

static int parse_header(struct btf_check *c, const uint8_t *data, uint32_t size,
                        struct btf_header *hdr)
{
    if (size < 8) {
        btf_log(c->log, "btf_header not found");
        return -BPFRT_EINVAL;
    }
    bpfrt_memset(hdr, 0, sizeof(*hdr));
    bpfrt_memcpy(hdr, data, 8);
    if (hdr->magic != BTF_MAGIC) {
        btf_log(c->log, "Invalid magic");
        return -BPFRT_EINVAL;
    }
    if (hdr->hdr_len < sizeof(*hdr) || hdr->hdr_len > size) {
        btf_log(c->log, "Unsupported btf_header (hdr_len %u)", hdr->hdr_len);
        return -BPFRT_EINVAL;
    }
    /* Bytes of a longer header that this version does not know must be 0. */
    for (uint32_t i = sizeof(*hdr); i < hdr->hdr_len; i++)
        if (data[i]) {
            btf_log(c->log, "Unsupported btf_header");
            return -BPFRT_E2BIG;
        }
    bpfrt_memcpy(hdr, data, sizeof(*hdr));
    if (hdr->version != BTF_VERSION) {
        btf_log(c->log, "Unsupported version");
        return -BPFRT_ENOTSUPP;
    }
    if (hdr->flags) {
        btf_log(c->log, "Unsupported flags");
        return -BPFRT_ENOTSUPP;
    }
    uint64_t body = size - hdr->hdr_len;
    uint64_t type_end = (uint64_t)hdr->type_off + hdr->type_len;
    uint64_t str_end = (uint64_t)hdr->str_off + hdr->str_len;
    if ((hdr->type_off & 3) || (hdr->hdr_len & 3)) {
        btf_log(c->log, "Unaligned type_off");
        return -BPFRT_EINVAL;
    }
    if (type_end > body || str_end > body) {
        btf_log(c->log, "Total section length too long");
        return -BPFRT_EINVAL;
    }
    if (hdr->type_off < hdr->str_off ? type_end > hdr->str_off : str_end > hdr->type_off) {
        btf_log(c->log, "Section overlap found");
        return -BPFRT_EINVAL;
    }
    if (!hdr->str_len || hdr->str_len > BTF_MAX_NAME_OFFSET + 1u) {
        btf_log(c->log, "Invalid string section");
        return -BPFRT_EINVAL;
    }
    const char *strs = (const char *)data + hdr->hdr_len + hdr->str_off;
    if (strs[0] || strs[hdr->str_len - 1]) {
        btf_log(c->log, "Invalid string section");
        return -BPFRT_EINVAL;
    }
    return 0;
}

static void btf_free(struct bpfrt_btf *btf)
{
    struct bpfrt_runtime *rt = btf->rt;
    if (btf->types)
        bpfrt_free(rt, btf->types, btf->types_cap * sizeof(*btf->types));
    if (btf->data)
        bpfrt_free(rt, btf->data, btf->size);
    bpfrt_free(rt, btf, sizeof(*btf));
}

int bpfrt_btf_parse(struct bpfrt_runtime *rt, const void *data, uint32_t size, unsigned flags,
                    char *log, uint32_t log_size, struct bpfrt_btf **out)
{
    struct bpfrt_strbuf sb;
    bpfrt_strbuf_init(&sb, log, log && log_size ? log_size : 0);
    struct btf_check c = {.log = log && log_size ? &sb : NULL, .flags = flags};
    *out = NULL;
    if (!data) {
        btf_log(c.log, "btf_header not found");
        return -BPFRT_EINVAL;
    }

    struct btf_header hdr;
    int err = parse_header(&c, data, size, &hdr);
    if (err)
        return err;

    struct bpfrt_btf *btf = bpfrt_zalloc(rt, sizeof(*btf));
    if (!btf)
        return -BPFRT_ENOMEM;
    btf->rt = rt;
    btf->refcnt = 1;
    btf->size = size;
    btf->data = bpfrt_zalloc(rt, size ? size : 1);
    if (!btf->data) {
        btf_free(btf);
        return -BPFRT_ENOMEM;
    }
    bpfrt_memcpy(btf->data, data, size);
    btf->hdr = hdr;
    btf->strs = (const char *)btf->data + hdr.hdr_len + hdr.str_off;
    btf->str_len = hdr.str_len;
    c.btf = btf;

    /* First pass: count types and check each fits in the type section. */
    uint8_t *tbase = btf->data + hdr.hdr_len + hdr.type_off;
    uint32_t pos = 0, count = 0;
    while (pos < hdr.type_len) {
        if (hdr.type_len - pos < sizeof(struct btf_type)) {
            btf_log(c.log, "[%u] type section truncated", count + 1);
            err = -BPFRT_EINVAL;
            goto fail;
        }
        struct btf_type t;
        bpfrt_memcpy(&t, tbase + pos, sizeof(t));
        long extra = btf_extra_size(&t);
        if (extra < 0) {
            btf_log(c.log, "[%u] Invalid kind:%u", count + 1, btf_kind(&t));
            err = -BPFRT_EINVAL;
            goto fail;
        }
        if ((uint64_t)hdr.type_len - pos - sizeof(t) < (uint64_t)extra) {
            btf_log(c.log, "[%u] %s type data truncated", count + 1,
                    bpfrt_btf_kind_name(btf_kind(&t)));
            err = -BPFRT_EINVAL;
            goto fail;
        }
        pos += sizeof(t) + (uint32_t)extra;
        if (++count > BTF_MAX_TYPE) {
            btf_log(c.log, "Exceeded max num of types");
            err = -BPFRT_E2BIG;
            goto fail;
        }
    }
    btf->nr_types = count + 1;
    btf->types_cap = count + 1;
    btf->types = bpfrt_zalloc(rt, btf->types_cap * sizeof(*btf->types));
    if (!btf->types) {
        err = -BPFRT_ENOMEM;
        goto fail;
    }
    pos = 0;
    for (uint32_t id = 1; id <= count; id++) {
        btf->types[id] = (struct btf_type *)(tbase + pos);
        pos += sizeof(struct btf_type) + (uint32_t)btf_extra_size(btf->types[id]);
    }
    for (uint32_t id = 1; id <= count; id++)
        if ((err = check_meta(&c, id)))
            goto fail;
    for (uint32_t id = 1; id <= count; id++)
        if ((err = check_refs(&c, id)))
            goto fail;

    if (!(flags & BPFRT_BTF_F_OBJECT))
        btf->id = __atomic_add_fetch(&rt->next_btf_id, 1, __ATOMIC_SEQ_CST);
    *out = btf;
    return 0;
fail:
    btf_free(btf);
    return err;
}

int bpfrt_btf_new(struct bpfrt_runtime *rt, const void *data, uint32_t size,
                  char *log, uint32_t log_size, struct bpfrt_btf **out)
{
    return bpfrt_btf_parse(rt, data, size, 0, log, log_size, out);
}

void bpfrt_btf_get(struct bpfrt_btf *btf)
{
    if (btf)
        bpfrt_atomic_inc(&btf->refcnt);
}

void bpfrt_btf_put(struct bpfrt_btf *btf)
{
    if (btf && bpfrt_atomic_dec(&btf->refcnt) == 0)
        btf_free(btf);
}

const void *bpfrt_btf_data(const struct bpfrt_btf *btf, uint32_t *size)
{
    if (size)
        *size = btf->size;
    return btf->data;
}

uint32_t bpfrt_btf_id(const struct bpfrt_btf *btf)
{
    return btf->id;
}
