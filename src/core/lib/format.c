/* A freestanding vsnprintf for the core: logs, disassembly, trace_printk.
 * Covers the conversions the core needs (see core.h); floating point is not
 * supported because eBPF has none. */
#include "core/core.h"

struct out {
    char *buf;
    size_t size;
    size_t len; /* what the full output needs */
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

struct spec {
    bool left, zero, plus, space, alt;
    int width, prec; /* prec < 0: none */
};

/* Emits a converted number held in digits[0..n) (most significant first). */
static void emit_number(struct out *o, const struct spec *sp, const char *prefix,
                        const char *digits, int n)
{
    int plen = (int)bpfrt_strlen(prefix);
    int zeros = sp->prec > n ? sp->prec - n : 0;
    if (sp->prec == 0 && n == 1 && digits[0] == '0')
        n = 0; /* "%.0d" of 0 prints nothing */
    int body = plen + zeros + n;
    int fill = sp->width > body ? sp->width - body : 0;
    if (!sp->left && !(sp->zero && sp->prec < 0))
        pad(o, ' ', fill);
    for (int i = 0; i < plen; i++)
        put(o, prefix[i]);
    if (!sp->left && sp->zero && sp->prec < 0)
        pad(o, '0', fill);
    pad(o, '0', zeros);
    for (int i = 0; i < n; i++)
        put(o, digits[i]);
    if (sp->left)
        pad(o, ' ', fill);
}

static int to_digits(unsigned long long v, unsigned base, bool upper, char *digits)
{
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[64];
    int n = 0;
    do {
        tmp[n++] = set[v % base];
        v /= base;
    } while (v);
    for (int i = 0; i < n; i++)
        digits[i] = tmp[n - 1 - i];
    return n;
}

static void emit_string(struct out *o, const struct spec *sp, const char *s)
{
    if (!s)
        s = "(null)";
    int n = (int)(sp->prec >= 0 ? bpfrt_strnlen(s, (size_t)sp->prec) : bpfrt_strlen(s));
    int fill = sp->width > n ? sp->width - n : 0;
    if (!sp->left)
        pad(o, ' ', fill);
    for (int i = 0; i < n; i++)
        put(o, s[i]);
    if (sp->left)
        pad(o, ' ', fill);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_PTRDIFF, LEN_MAX };

static unsigned long long fetch_unsigned(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_CHAR: return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_LONG: return va_arg(*ap, unsigned long);
    case LEN_LLONG: return va_arg(*ap, unsigned long long);
    case LEN_SIZE: return va_arg(*ap, size_t);
    case LEN_PTRDIFF: return (unsigned long long)va_arg(*ap, ptrdiff_t);
    case LEN_MAX: return va_arg(*ap, unsigned long long);
    default: return va_arg(*ap, unsigned int);
    }
}

static long long fetch_signed(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_CHAR: return (signed char)va_arg(*ap, int);
    case LEN_SHORT: return (short)va_arg(*ap, int);
    case LEN_LONG: return va_arg(*ap, long);
    case LEN_LLONG: return va_arg(*ap, long long);
    case LEN_SIZE: return (long long)va_arg(*ap, size_t);
    case LEN_PTRDIFF: return va_arg(*ap, ptrdiff_t);
    case LEN_MAX: return va_arg(*ap, long long);
    default: return va_arg(*ap, int);
    }
}

int bpfrt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
    struct out o = {buf, size, 0};
    va_list ap;
    va_copy(ap, ap_in);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        struct spec sp = {.prec = -1};
        for (p++;; p++) {
            if (*p == '-') sp.left = true;
            else if (*p == '0') sp.zero = true;
            else if (*p == '+') sp.plus = true;
            else if (*p == ' ') sp.space = true;
            else if (*p == '#') sp.alt = true;
            else break;
        }
        if (*p == '*') {
            sp.width = va_arg(ap, int);
            if (sp.width < 0) {
                sp.left = true;
                sp.width = -sp.width;
            }
            p++;
        } else {
            while (*p >= '0' && *p <= '9')
                sp.width = sp.width * 10 + (*p++ - '0');
        }
        if (*p == '.') {
            p++;
            sp.prec = 0;
            if (*p == '*') {
                sp.prec = va_arg(ap, int);
                p++;
            } else {
                while (*p >= '0' && *p <= '9')
                    sp.prec = sp.prec * 10 + (*p++ - '0');
            }
        }
        enum length len = LEN_INT;
        if (*p == 'h') {
            len = LEN_SHORT;
            if (*++p == 'h') { len = LEN_CHAR; p++; }
        } else if (*p == 'l') {
            len = LEN_LONG;
            if (*++p == 'l') { len = LEN_LLONG; p++; }
        } else if (*p == 'z') { len = LEN_SIZE; p++; }
        else if (*p == 't') { len = LEN_PTRDIFF; p++; }
        else if (*p == 'j') { len = LEN_MAX; p++; }

        char digits[64];
        int n;
        switch (*p) {
        case 'd':
        case 'i': {
            long long v = fetch_signed(&ap, len);
            unsigned long long mag = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
            n = to_digits(mag, 10, false, digits);
            emit_number(&o, &sp, v < 0 ? "-" : sp.plus ? "+" : sp.space ? " " : "", digits, n);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            unsigned long long v = fetch_unsigned(&ap, len);
            unsigned base = *p == 'u' ? 10 : *p == 'o' ? 8 : 16;
            n = to_digits(v, base, *p == 'X', digits);
            const char *prefix = "";
            if (sp.alt && v) prefix = *p == 'x' ? "0x" : *p == 'X' ? "0X" : *p == 'o' ? "0" : "";
            emit_number(&o, &sp, prefix, digits, n);
            break;
        }
        case 'p': {
            unsigned long long v = (unsigned long long)(uintptr_t)va_arg(ap, void *);
            n = to_digits(v, 16, false, digits);
            emit_number(&o, &sp, "0x", digits, n);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            int fill = sp.width > 1 ? sp.width - 1 : 0;
            if (!sp.left) pad(&o, ' ', fill);
            put(&o, c);
            if (sp.left) pad(&o, ' ', fill);
            break;
        }
        case 's':
            emit_string(&o, &sp, va_arg(ap, const char *));
            break;
        case '%':
            put(&o, '%');
            break;
        case '\0':
            p--; /* lone '%' at the end: stop */
            break;
        default: /* unknown conversion: print it literally */
            put(&o, '%');
            put(&o, *p);
            break;
        }
    }
    va_end(ap);
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return o.len > 0x7fffffff ? 0x7fffffff : (int)o.len;
}

int bpfrt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = bpfrt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

void bpfrt_strbuf_init(struct bpfrt_strbuf *sb, char *buf, size_t size)
{
    sb->buf = buf;
    sb->size = size;
    sb->len = 0;
    if (size)
        buf[0] = '\0';
}

void bpfrt_strbuf_vprintf(struct bpfrt_strbuf *sb, const char *fmt, va_list ap)
{
    size_t room = sb->len < sb->size ? sb->size - sb->len : 0;
    int n = bpfrt_vsnprintf(room ? sb->buf + sb->len : 0, room, fmt, ap);
    sb->len += (size_t)n;
}

void bpfrt_strbuf_printf(struct bpfrt_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bpfrt_strbuf_vprintf(sb, fmt, ap);
    va_end(ap);
}

void bpfrt_strbuf_puts(struct bpfrt_strbuf *sb, const char *s)
{
    bpfrt_strbuf_printf(sb, "%s", s);
}
