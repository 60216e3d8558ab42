/* Printing values and types with their BTF description: map dumps in the
 * CLI ("{.pkts = 3, .bytes = 180}") and their JSON form. Bounded recursion
 * and output (a full buffer, or 1 MiB when measuring, ends it with "...");
 * anything the type does not describe exactly falls back to hex bytes. */
#include "core/btf/btf_internal.h"

struct fmt {
    const struct bpfrt_btf *btf;
    struct bpfrt_strbuf sb;
    bool json;
};

/* Output a measuring call (no buffer) stops at: a value's text can grow
 * exponentially with the BTF (unions of unions of unions). */
#define FORMAT_MAX_LEN (1u << 20)

/* True once the output is past what the caller can hold: stop descending. */
static bool full(const struct fmt *f)
{
    return f->sb.len > (f->sb.size ? f->sb.size : FORMAT_MAX_LEN);
}

static void put_hex(struct fmt *f, const uint8_t *p, size_t n)
{
    if (f->json)
        bpfrt_strbuf_puts(&f->sb, "\"");
    for (size_t i = 0; i < n; i++)
        bpfrt_strbuf_printf(&f->sb, "%s%02x", i ? " " : "", p[i]);
    if (f->json)
        bpfrt_strbuf_puts(&f->sb, "\"");
}

static uint64_t load_uint(const uint8_t *p, uint32_t size)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < size && i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void put_int(struct fmt *f, const struct btf_type *t, const uint8_t *p)
{
    uint32_t enc = *(const uint32_t *)btf_type_extra(t);
    uint32_t bits = BTF_INT_BITS(enc), boff = BTF_INT_OFFSET(enc);
    if (t->size > 8) { /* __int128: hex */
        bpfrt_strbuf_printf(&f->sb, f->json ? "\"0x%016llx%016llx\"" : "0x%016llx%016llx",
                            (unsigned long long)load_uint(p + 8, 8),
                            (unsigned long long)load_uint(p, 8));
        return;
    }
    /* size 8 with offset 64 and 0 bits is valid BTF (Linux accepts it): 0 */
    uint64_t v = boff < 64 ? load_uint(p, t->size) >> boff : 0;
    if (bits < 64)
        v &= (1ull << bits) - 1;
    if (BTF_INT_ENCODING(enc) & BTF_INT_BOOL)
        bpfrt_strbuf_puts(&f->sb, v ? "true" : "false");
    else if (BTF_INT_ENCODING(enc) & BTF_INT_SIGNED && bits && bits <= 64) {
        int64_t s = bits < 64 && (v >> (bits - 1)) ? (int64_t)(v | ~((1ull << bits) - 1))
                                                   : (int64_t)v;
        bpfrt_strbuf_printf(&f->sb, "%lld", (long long)s);
    } else
        bpfrt_strbuf_printf(&f->sb, "%llu", (unsigned long long)v);
}

static bool is_char_type(const struct bpfrt_btf *btf, uint32_t id)
{
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, bpfrt_btf_skip_mods(btf, id));
    if (!t || btf_kind(t) != BTF_KIND_INT || t->size != 1)
        return false;
    const char *n = bpfrt_btf_name(btf, bpfrt_btf_skip_mods(btf, id));
    return (BTF_INT_ENCODING(*(const uint32_t *)btf_type_extra(t)) & BTF_INT_CHAR) ||
           bpfrt_strcmp(n, "char") == 0;
}

/* A char array holding a NUL-terminated printable string prints as a string. */
static bool put_string(struct fmt *f, const uint8_t *p, uint32_t n)
{
    uint32_t len = 0;
    while (len < n && p[len])
        len++;
    if (len == n)
        return false;
    for (uint32_t i = 0; i < len; i++)
        if (p[i] < 0x20 || p[i] > 0x7e || p[i] == '"' || p[i] == '\\')
            return false;
    for (uint32_t i = len; i < n; i++)
        if (p[i])
            return false;
    bpfrt_strbuf_printf(&f->sb, "\"%.*s\"", (int)len, (const char *)p);
    return true;
}

static void put_value(struct fmt *f, uint32_t id, const uint8_t *p, size_t size, int depth);

static void put_members(struct fmt *f, const struct btf_type *t, const uint8_t *p, size_t size,
                        int depth)
{
    bpfrt_strbuf_puts(&f->sb, "{");
    for (uint32_t i = 0; i < btf_vlen(t); i++) {
        const struct btf_member *m = &btf_members(t)[i];
        uint32_t bit_off = btf_member_bit_offset(t, i), bits = btf_member_bitfield_size(t, i);
        const char *name = bpfrt_btf_str(f->btf, m->name_off);
        if (i)
            bpfrt_strbuf_puts(&f->sb, ", ");
        if (full(f)) {
            bpfrt_strbuf_puts(&f->sb, "...");
            break;
        }
        if (f->json)
            bpfrt_strbuf_printf(&f->sb, "\"%s\": ", name && *name ? name : "");
        else if (name && *name)
            bpfrt_strbuf_printf(&f->sb, ".%s = ", name);
        if (bits) {
            uint32_t byte = bit_off / 8, shift = bit_off % 8;
            uint64_t v = 0;
            for (uint32_t b = 0; b < 8 && byte + b < size; b++)
                v |= (uint64_t)p[byte + b] << (8 * b);
            v >>= shift;
            if (bits < 64)
                v &= (1ull << bits) - 1;
            bpfrt_strbuf_printf(&f->sb, "%llu", (unsigned long long)v);
            continue;
        }
        size_t off = bit_off / 8;
        if (off > size)
            off = size;
        put_value(f, m->type, p + off, size - off, depth + 1);
    }
    bpfrt_strbuf_puts(&f->sb, "}");
}

static void put_value(struct fmt *f, uint32_t id, const uint8_t *p, size_t size, int depth)
{
    uint32_t rid = bpfrt_btf_skip_mods(f->btf, id);
    const struct btf_type *t = bpfrt_btf_type_by_id(f->btf, rid);
    long tsize = bpfrt_btf_type_size(f->btf, rid);
    if (!t || tsize < 0 || (size_t)tsize > size || depth > BTF_MAX_RESOLVE_DEPTH) {
        put_hex(f, p, size);
        return;
    }
    switch (btf_kind(t)) {
    case BTF_KIND_INT:
        put_int(f, t, p);
        return;
    case BTF_KIND_PTR:
        bpfrt_strbuf_printf(&f->sb, f->json ? "\"0x%llx\"" : "0x%llx",
                            (unsigned long long)load_uint(p, 8));
        return;
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64: {
        uint64_t v = load_uint(p, t->size);
        for (uint32_t i = 0; i < btf_vlen(t); i++) {
            uint64_t ev;
            uint32_t noff;
            if (btf_kind(t) == BTF_KIND_ENUM) {
                const struct btf_enum *e = &((const struct btf_enum *)btf_type_extra(t))[i];
                /* a signed (kflag) 8-byte ENUM holds its values sign-extended */
                ev = btf_kflag(t) ? (uint64_t)(int64_t)e->val : (uint32_t)e->val;
                noff = e->name_off;
            } else {
                const struct btf_enum64 *e = &((const struct btf_enum64 *)btf_type_extra(t))[i];
                ev = (uint64_t)e->val_hi32 << 32 | e->val_lo32;
                noff = e->name_off;
            }
            if (t->size < 8)
                ev &= (1ull << (8 * t->size)) - 1;
            if (ev == v) {
                const char *n = bpfrt_btf_str(f->btf, noff);
                bpfrt_strbuf_printf(&f->sb, f->json ? "\"%s\"" : "%s", n ? n : "?");
                return;
            }
        }
        bpfrt_strbuf_printf(&f->sb, "%llu", (unsigned long long)v);
        return;
    }
    case BTF_KIND_ARRAY: {
        const struct btf_array *a = btf_type_extra(t);
        long esize = bpfrt_btf_type_size(f->btf, a->type);
        if (esize <= 0) {
            put_hex(f, p, (size_t)tsize);
            return;
        }
        if (is_char_type(f->btf, a->type) && put_string(f, p, a->nelems))
            return;
        bpfrt_strbuf_puts(&f->sb, "[");
        for (uint32_t i = 0; i < a->nelems; i++) {
            if (i)
                bpfrt_strbuf_puts(&f->sb, ", ");
            if (full(f)) { /* output full: stop early */
                bpfrt_strbuf_puts(&f->sb, "...");
                break;
            }
            put_value(f, a->type, p + (size_t)i * (size_t)esize, (size_t)esize, depth + 1);
        }
        bpfrt_strbuf_puts(&f->sb, "]");
        return;
    }
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
        put_members(f, t, p, (size_t)tsize, depth);
        return;
    case BTF_KIND_DATASEC: {
        bpfrt_strbuf_puts(&f->sb, "{");
        for (uint32_t i = 0; i < btf_vlen(t); i++) {
            const struct btf_var_secinfo *s = &btf_secinfos(t)[i];
            if (i)
                bpfrt_strbuf_puts(&f->sb, ", ");
            if (full(f)) {
                bpfrt_strbuf_puts(&f->sb, "...");
                break;
            }
            const char *n = bpfrt_btf_name(f->btf, s->type);
            bpfrt_strbuf_printf(&f->sb, f->json ? "\"%s\": " : ".%s = ", n);
            if ((uint64_t)s->offset + s->size > (uint64_t)tsize) {
                bpfrt_strbuf_puts(&f->sb, f->json ? "null" : "?");
                continue;
            }
            const struct btf_type *var = bpfrt_btf_type_by_id(f->btf, s->type);
            uint32_t vt = var && btf_kind(var) == BTF_KIND_VAR ? var->type : 0;
            put_value(f, vt, p + s->offset, s->size, depth + 1);
        }
        bpfrt_strbuf_puts(&f->sb, "}");
        return;
    }
    case BTF_KIND_FLOAT:
    default:
        put_hex(f, p, (size_t)tsize);
        return;
    }
}

int bpfrt_btf_format_value(const struct bpfrt_btf *btf, uint32_t type_id, const void *data,
                           size_t size, bool json, char *buf, size_t buf_size)
{
    struct fmt f = {.btf = btf, .json = json};
    bpfrt_strbuf_init(&f.sb, buf, buf_size);
    if (!btf || !type_id)
        put_hex(&f, data, size);
    else
        put_value(&f, type_id, data, size, 0);
    return (int)f.sb.len;
}

static void type_str(const struct bpfrt_btf *btf, uint32_t id, struct bpfrt_strbuf *sb, int depth)
{
    const struct btf_type *t = bpfrt_btf_type_by_id(btf, id);
    if (!t) {
        bpfrt_strbuf_puts(sb, "void");
        return;
    }
    if (depth > BTF_MAX_RESOLVE_DEPTH) {
        bpfrt_strbuf_puts(sb, "...");
        return;
    }
    const char *name = bpfrt_btf_name(btf, id);
    switch (btf_kind(t)) {
    case BTF_KIND_STRUCT: bpfrt_strbuf_printf(sb, "struct %s", *name ? name : "(anon)"); return;
    case BTF_KIND_UNION: bpfrt_strbuf_printf(sb, "union %s", *name ? name : "(anon)"); return;
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64: bpfrt_strbuf_printf(sb, "enum %s", *name ? name : "(anon)"); return;
    case BTF_KIND_FWD:
        bpfrt_strbuf_printf(sb, "%s %s", btf_kflag(t) ? "union" : "struct", name);
        return;
    case BTF_KIND_PTR:
        type_str(btf, t->type, sb, depth + 1);
        bpfrt_strbuf_puts(sb, " *");
        return;
    case BTF_KIND_CONST:
    case BTF_KIND_VOLATILE:
        bpfrt_strbuf_puts(sb, btf_kind(t) == BTF_KIND_CONST ? "const " : "volatile ");
        type_str(btf, t->type, sb, depth + 1);
        return;
    case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPE_TAG:
        type_str(btf, t->type, sb, depth + 1);
        return;
    case BTF_KIND_ARRAY: {
        const struct btf_array *a = btf_type_extra(t);
        type_str(btf, a->type, sb, depth + 1);
        bpfrt_strbuf_printf(sb, "[%u]", a->nelems);
        return;
    }
    case BTF_KIND_FUNC_PROTO:
        bpfrt_strbuf_puts(sb, "func_proto");
        return;
    default:
        bpfrt_strbuf_puts(sb, name);
        return;
    }
}

int bpfrt_btf_type_str(const struct bpfrt_btf *btf, uint32_t id, char *buf, size_t buf_size)
{
    struct bpfrt_strbuf sb;
    bpfrt_strbuf_init(&sb, buf, buf_size);
    type_str(btf, id, &sb, 0);
    return (int)sb.len;
}
