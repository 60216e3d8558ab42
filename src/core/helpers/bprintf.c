/* The printf-like engine behind bpf_trace_printk, bpf_trace_vprintk and
 * bpf_snprintf, in two steps as Linux does (kernel/bpf/helpers.c
 * bpf_bprintf_prepare, then bstr_printf):
 *
 *  prepare  checks the format and captures the arguments (reads of
 *           strings and addresses go through the host-read policy,
 *           host_read.c), and says what formatting will cost: only printable
 *           ASCII or whitespace; each conversion is
 *           %[0+- ]*[1-9][0-9]* followed by one of
 *             d i u x X, with l or ll before them   (integers; 32-bit unless l/ll)
 *             c                                      (a char)
 *             s  pks  pus                            (a string, read fault-safely;
 *                                                     must be followed by NUL, space or punctuation)
 *             p  pK  px  ps  pS  pB                  (a pointer, printed, not dereferenced)
 *             pi4 pI4 pi6 pI6                        (an IP address read fault-safely)
 *           and %% is a literal '%'. No precision, no '#', no h/z/j/t.
 *           More conversions than arguments, or anything else: -EINVAL.
 *           Copied strings and addresses share a 512-byte budget (-ENOSPC).
 *  format   renders the captured arguments with the conversion's flags and
 *           width.
 *
 * Differences from Linux, deliberate: %p and %pK print the raw value as 16
 * hex digits (Linux hashes kernel pointers); %ps/%pS/%pB print "0x" + hex
 * (there is no symbol table); field widths are ignored for %p forms. */
#include "core/helpers/helpers_internal.h"

static bool is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_print(char c)
{
    return c >= 0x20 && c <= 0x7e;
}

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_punct(char c)
{
    return is_print(c) && !is_alnum(c) && c != ' ';
}

/* Linux's vsnprintf clamps field widths to this. */
#define FIELD_WIDTH_MAX ((1 << 23) - 1)

/* What may follow %s / %pks / %pus. */
static bool str_end_ok(char c)
{
    return c == 0 || is_space(c) || is_punct(c);
}

/* One conversion as parsed from the format. */
struct conv {
    char flags[5];   /* subset of "0+- " in order seen */
    int width;       /* -1: none */
    char kind;       /* 'i' integer, 'c', 's', 'p' pointer, 'I' ip address */
    char conv;       /* d i u x X for integers */
    int lng;         /* 0, 1 (l) or 2 (ll) */
    char sub;        /* pointer: 0 (plain), 'K' 'x' 's' 'S' 'B'; ip: 'i' or 'I'; string: 0, 'k', 'u' */
    char ipver;      /* '4' or '6' */
    size_t end;      /* index just past the conversion in fmt */
};

/* Parses the conversion whose '%' is at fmt[i] (fmt[i+1] != '%'), with
 * Linux's acceptance rules. Returns 0 or -EINVAL. */
static int parse_conv(const char *fmt, size_t i, struct conv *c)
{
    bpfrt_memset(c, 0, sizeof(*c));
    c->width = -1;
    i++;
    int nf = 0;
    while (fmt[i] == '0' || fmt[i] == '+' || fmt[i] == '-' || fmt[i] == ' ') {
        if (nf < 4 && !bpfrt_strchr(c->flags, fmt[i]))
            c->flags[nf++] = fmt[i];
        i++;
    }
    if (fmt[i] >= '1' && fmt[i] <= '9') {
        int w = 0;
        while (fmt[i] >= '0' && fmt[i] <= '9') {
            if (w <= FIELD_WIDTH_MAX)
                w = w * 10 + (fmt[i] - '0');
            i++;
        }
        c->width = w > FIELD_WIDTH_MAX ? FIELD_WIDTH_MAX : w; /* Linux clamps it */
    }
    if (fmt[i] == 'p') {
        char n1 = fmt[i + 1];
        if ((n1 == 'k' || n1 == 'u') && fmt[i + 2] == 's') {
            c->kind = 's';
            c->sub = n1;
            i += 3;
            if (!str_end_ok(fmt[i]))
                return -BPFRT_EINVAL;
            c->end = i;
            return 0;
        }
        if (n1 == 0 || is_space(n1) || is_punct(n1)) {
            c->kind = 'p';
            c->end = i + 1;
            return 0;
        }
        if (n1 == 'K' || n1 == 'x' || n1 == 's' || n1 == 'S' || n1 == 'B') {
            c->kind = 'p';
            c->sub = n1;
            i += 2;
        } else if ((n1 == 'i' || n1 == 'I') && (fmt[i + 2] == '4' || fmt[i + 2] == '6')) {
            c->kind = 'I';
            c->sub = n1;
            c->ipver = fmt[i + 2];
            i += 3;
        } else {
            return -BPFRT_EINVAL;
        }
        /* bstr_printf swallows any further alphanumerics of a %p extension */
        while (is_alnum(fmt[i]))
            i++;
        c->end = i;
        return 0;
    }
    if (fmt[i] == 's') {
        if (!str_end_ok(fmt[i + 1]))
            return -BPFRT_EINVAL;
        c->kind = 's';
        c->end = i + 1;
        return 0;
    }
    if (fmt[i] == 'c') {
        c->kind = 'c';
        c->end = i + 1;
        return 0;
    }
    if (fmt[i] == 'l') {
        c->lng++;
        i++;
        if (fmt[i] == 'l') {
            c->lng++;
            i++;
        }
    }
    char k = fmt[i];
    if (k != 'i' && k != 'd' && k != 'u' && k != 'x' && k != 'X')
        return -BPFRT_EINVAL;
    c->kind = 'i';
    c->conv = k;
    c->end = i + 1;
    return 0;
}

/* Reserves n bytes of the 512-byte argument buffer (aligned to `align`). */
static char *tmp_take(struct bpfrt_bprintf_data *d, size_t n, size_t align)
{
    size_t at = (d->used + align - 1) & ~(align - 1);
    if (at > sizeof(d->tmp) || sizeof(d->tmp) - at < n)
        return 0;
    d->used = at + n;
    return d->tmp + at;
}

static void format_ip(char *out, size_t size, char sub, char ver, const uint8_t *a)
{
    struct bpfrt_strbuf sb;
    bpfrt_strbuf_init(&sb, out, size);
    if (ver == '4') {
        for (int i = 0; i < 4; i++)
            bpfrt_strbuf_printf(&sb, sub == 'i' ? "%s%03u" : "%s%u", i ? "." : "", a[i]);
        return;
    }
    for (int i = 0; i < 16; i += 2)
        bpfrt_strbuf_printf(&sb, "%s%02x%02x", (i && sub == 'I') ? ":" : "", a[i], a[i + 1]);
}

/* Longest rendering of a conversion without its field width: a 64-bit
 * octal-free integer with sign, "0x" + 16 digits, an IPv6 address. */
#define CONV_MAX_CHARS 40

int bpfrt_bprintf_prepare(struct bpfrt_run *run, const char *fmt, size_t fmt_size,
                          const uint64_t *raw_args, uint32_t num_args,
                          struct bpfrt_bprintf_data *data)
{
    size_t len = bpfrt_strnlen(fmt, fmt_size);
    if (len == fmt_size)
        return -BPFRT_EINVAL; /* not NUL-terminated within fmt_size */
    if (num_args > BPFRT_MAX_BPRINTF_VARARGS)
        return -BPFRT_EINVAL;
    data->used = 0;
    data->nargs = 0;
    data->work = len;

    for (size_t i = 0; i < len; i++) {
        char ch = fmt[i];
        if ((unsigned char)ch > 0x7f || (!is_print(ch) && !is_space(ch)))
            return -BPFRT_EINVAL;
        if (ch != '%')
            continue;
        if (fmt[i + 1] == '%') {
            i++;
            continue;
        }
        if (data->nargs >= num_args)
            return -BPFRT_EINVAL;
        struct conv c;
        int err = parse_conv(fmt, i, &c);
        if (err)
            return err;
        /* every character the conversion spans must pass the charset test
         * too (they are alphanumerics or the listed flags, so they do) */
        struct bpfrt_bprintf_arg *a = &data->args[data->nargs];
        uint64_t raw = raw_args[data->nargs];
        a->val = raw;
        a->str = 0;
        /* a string is at most what tmp holds: CONV_MAX_CHARS covers the rest */
        data->work += (uint64_t)(c.width > 0 ? c.width : 0) + CONV_MAX_CHARS;
        switch (c.kind) {
        case 'i':
            a->kind = c.lng ? BPFRT_BPA_INT64 : BPFRT_BPA_INT32;
            if (!tmp_take(data, c.lng ? 8 : 4, 4))
                return -BPFRT_ENOSPC;
            break;
        case 'c':
            a->kind = BPFRT_BPA_CHAR;
            if (!tmp_take(data, 1, 1))
                return -BPFRT_ENOSPC;
            break;
        case 'p':
            a->kind = BPFRT_BPA_PTR;
            if (!tmp_take(data, 8, 4))
                return -BPFRT_ENOSPC;
            break;
        case 's': {
            size_t room = sizeof(data->tmp) - data->used;
            data->work += room; /* the copy */
            if (!room)
                return -BPFRT_ENOSPC;
            char *dst = data->tmp + data->used;
            long n = bpfrt_host_read_str(run, dst, bpfrt_u2p(raw), room, c.sub == 'u');
            if (n <= 0) { /* unreadable: an empty string, as Linux */
                dst[0] = 0;
                n = 1;
            }
            data->used += (size_t)n;
            a->kind = BPFRT_BPA_STR;
            a->str = dst;
            break;
        }
        case 'I': {
            uint8_t addr[16];
            size_t alen = c.ipver == '4' ? 4 : 16;
            size_t room = sizeof(data->tmp) - data->used;
            if (room < alen)
                return -BPFRT_ENOSPC;
            if (bpfrt_host_read(run, addr, bpfrt_u2p(raw), alen, false) < 0)
                bpfrt_memset(addr, 0, alen);
            char *dst = data->tmp + data->used;
            format_ip(dst, room, c.sub, c.ipver, addr);
            data->used += bpfrt_strlen(dst) + 1;
            if (data->used > sizeof(data->tmp))
                data->used = sizeof(data->tmp);
            a->kind = BPFRT_BPA_STR;
            a->str = dst;
            break;
        }
        }
        data->nargs++;
        i = c.end - 1; /* the loop's i++ moves past the conversion */
    }
    return 0;
}

/* Appends to an snprintf-style output: len counts everything, only what
 * fits (leaving room for the NUL) is stored. */
struct out {
    char *buf;
    size_t size, len;
};

static void out_puts(struct out *o, const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++, o->len++)
        if (o->len + 1 < o->size)
            o->buf[o->len] = s[k];
}

/* Formats one conversion straight into the output, so any width works. */
static void out_printf(struct out *o, const char *spec, ...) __attribute__((format(printf, 2, 3)));
static void out_printf(struct out *o, const char *spec, ...)
{
    va_list ap;
    va_start(ap, spec);
    size_t room = o->len < o->size ? o->size - o->len : 0;
    int n = bpfrt_vsnprintf(room ? o->buf + o->len : 0, room, spec, ap);
    va_end(ap);
    if (n > 0)
        o->len += (size_t)n;
}

/* Builds "%<flags><width><len><conv>" for the core's snprintf. */
static void spec_string(char *spec, const struct conv *c, const char *len_mod, char conv)
{
    struct bpfrt_strbuf sb;
    bpfrt_strbuf_init(&sb, spec, 32);
    bpfrt_strbuf_printf(&sb, "%%%s", c->flags);
    if (c->width >= 0)
        bpfrt_strbuf_printf(&sb, "%d", c->width);
    bpfrt_strbuf_printf(&sb, "%s%c", len_mod, conv);
}

/* Longer than any conversion's text without its padding (strings come
 * from the 512-byte argument buffer). */
#define PAD_SLACK 1024

/* Padding the output cannot hold is counted, not produced: a width beyond
 * room + PAD_SLACK is cut to that (what is stored is the same: the cut
 * padding lies past the end either way) and the cut is returned, for the
 * caller to add to the length. So a width of 8,388,607 costs what the
 * output holds; the helpers still charge the full width to the run. */
static size_t clamp_width(struct conv *c, const struct out *o)
{
    size_t room = o->len < o->size ? o->size - o->len : 0;
    if (c->kind == 'p' || c->width <= 0 || (size_t)c->width <= room + PAD_SLACK)
        return 0; /* %p forms print no padding */
    size_t cut = (size_t)c->width - (room + PAD_SLACK);
    c->width = (int)(room + PAD_SLACK);
    return cut;
}

int bpfrt_bprintf_format(char *buf, size_t size, const char *fmt,
                         const struct bpfrt_bprintf_data *data)
{
    struct out o = { buf, size, 0 };
    uint32_t argi = 0;
    char spec[32];
    for (size_t i = 0; fmt[i]; i++) {
        if (fmt[i] != '%') {
            out_puts(&o, &fmt[i], 1);
            continue;
        }
        if (fmt[i + 1] == '%') {
            out_puts(&o, "%", 1);
            i++;
            continue;
        }
        struct conv c;
        if (parse_conv(fmt, i, &c) || argi >= data->nargs)
            break; /* prepare rejected these already */
        const struct bpfrt_bprintf_arg *a = &data->args[argi++];
        size_t cut = clamp_width(&c, &o);
        switch (c.kind) {
        case 'i': {
            bool is_signed = c.conv == 'd' || c.conv == 'i';
            spec_string(spec, &c, "ll", c.conv);
            long long v;
            if (c.lng)
                v = (long long)a->val;
            else if (is_signed)
                v = (int32_t)(uint32_t)a->val;
            else
                v = (long long)(uint32_t)a->val;
            out_printf(&o, spec, v);
            break;
        }
        case 'c':
            spec_string(spec, &c, "", 'c');
            out_printf(&o, spec, (int)(unsigned char)a->val);
            break;
        case 's':
        case 'I':
            spec_string(spec, &c, "", 's');
            out_printf(&o, spec, a->str ? a->str : "");
            break;
        case 'p':
            if (c.sub == 's' || c.sub == 'S' || c.sub == 'B')
                out_printf(&o, "0x%llx", (unsigned long long)a->val);
            else
                out_printf(&o, "%016llx", (unsigned long long)a->val);
            break;
        }
        o.len += cut;
        i = c.end - 1;
    }
    if (o.size)
        o.buf[o.len < o.size ? o.len : o.size - 1] = 0;
    return (int)o.len;
}

int bpfrt_bprintf_prepare_array(struct bpfrt_run *run, const char *fmt, size_t fmt_size,
                                const uint64_t *data, uint32_t data_len, struct bpfrt_bprintf_data *bd)
{
    if ((data_len % 8) || data_len > BPFRT_MAX_BPRINTF_VARARGS * 8 || (data_len && !data))
        return -BPFRT_EINVAL;
    uint64_t args[BPFRT_MAX_BPRINTF_VARARGS];
    if (data_len)
        bpfrt_memcpy(args, data, data_len);
    int err = bpfrt_bprintf_prepare(run, fmt, fmt_size, args, data_len / 8, bd);
    if (err)
        return err;
    if (!bpfrt_run_charge(run, bd->work)) /* field widths run to 8 million columns */
        return -BPFRT_ELOOP;
    return 0;
}
