/* The routing table as text (bpfrt_fib_load_text), in the spirit of the
 * `ip link` / `ip route` / `ip neigh` lines it stands for, so a user of
 * the CLI (or a test) can describe devices, routes and neighbours in a
 * file. One entry per line, '#' starts a comment:
 *
 *   dev IFINDEX [mac XX:XX:XX:XX:XX:XX] [mtu N] [addr IPV4] [addr6 IPV6] [noforward]
 *   route [blackhole|unreachable|prohibit|local] PREFIX[/LEN] [via GW] [dev IFINDEX]
 *         [metric N] [table N] [mtu N] [src IP]
 *   neigh IP dev IFINDEX lladdr XX:XX:XX:XX:XX:XX
 *
 * PREFIX "default" is 0.0.0.0/0 (or ::/0 with "route -6 default"). */
#include "core/helpers/kstate.h"

struct cursor {
    const char *p, *end;
};

/* The next space-separated word of the line, or length 0 at its end. */
static size_t word(struct cursor *c, const char **w)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r'))
        c->p++;
    *w = c->p;
    while (c->p < c->end && *c->p != ' ' && *c->p != '\t' && *c->p != '\r')
        c->p++;
    return (size_t)(c->p - *w);
}

static bool is(const char *w, size_t n, const char *lit)
{
    return n == bpfrt_strlen(lit) && bpfrt_memcmp(w, lit, n) == 0;
}

static bool parse_uint(const char *w, size_t n, uint32_t *out)
{
    uint64_t v = 0;
    if (!n || n > 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (w[i] < '0' || w[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(w[i] - '0');
    }
    if (v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static bool parse_mac(const char *w, size_t n, uint8_t mac[6])
{
    if (n != 17)
        return false;
    for (int i = 0; i < 6; i++) {
        int hi = hexval(w[3 * i]), lo = hexval(w[3 * i + 1]);
        if (hi < 0 || lo < 0 || (i < 5 && w[3 * i + 2] != ':'))
            return false;
        mac[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

static bool parse_ipv4(const char *w, size_t n, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        uint32_t v = 0, digits = 0;
        while (i < n && w[i] >= '0' && w[i] <= '9' && digits < 4)
            v = v * 10 + (uint32_t)(w[i++] - '0'), digits++;
        if (!digits || v > 255 || (part < 3 && (i >= n || w[i++] != '.')))
            return false;
        out[part] = (uint8_t)v;
    }
    return i == n;
}

/* RFC 4291 text: hex groups, one "::" for zeros (no embedded IPv4). */
static bool parse_ipv6(const char *w, size_t n, uint8_t out[16])
{
    uint16_t head[8], tail[8];
    int nh = 0, nt = 0;
    bool gap = false;
    size_t i = 0;
    if (n >= 2 && w[0] == ':' && w[1] == ':') {
        gap = true;
        i = 2;
    }
    while (i < n) {
        uint32_t v = 0;
        size_t d = 0;
        while (i < n && hexval(w[i]) >= 0 && d < 4)
            v = v << 4 | (uint32_t)hexval(w[i++]), d++;
        if (!d || nh + nt >= 8)
            return false;
        if (gap)
            tail[nt++] = (uint16_t)v;
        else
            head[nh++] = (uint16_t)v;
        if (i == n)
            break;
        if (w[i++] != ':')
            return false;
        if (i < n && w[i] == ':') {
            if (gap)
                return false;
            gap = true;
            i++;
        } else if (i == n) {
            return false;
        }
    }
    if ((!gap && nh != 8) || nh + nt > (gap ? 7 : 8))
        return false;
    bpfrt_memset(out, 0, 16);
    for (int k = 0; k < nh; k++)
        out[2 * k] = (uint8_t)(head[k] >> 8), out[2 * k + 1] = (uint8_t)head[k];
    for (int k = 0; k < nt; k++)
        out[16 - 2 * (nt - k)] = (uint8_t)(tail[k] >> 8), out[17 - 2 * (nt - k)] = (uint8_t)tail[k];
    return true;
}

/* An address of either family: 2 or 10, or 0 when it is neither. */
static uint8_t parse_ip(const char *w, size_t n, uint8_t out[16])
{
    bpfrt_memset(out, 0, 16);
    if (parse_ipv4(w, n, out))
        return 2;
    return parse_ipv6(w, n, out) ? 10 : 0;
}

static int fail(char *err, size_t err_size, uint32_t line, const char *what, const char *w, size_t n)
{
    if (err && err_size)
        bpfrt_snprintf(err, err_size, "line %u: %s '%.*s'", line, what, (int)(n > 60 ? 60 : n), w);
    return -BPFRT_EINVAL;
}

static int parse_dev(struct bpfrt_runtime *rt, struct cursor *c, uint32_t line, char *err, size_t es)
{
    struct bpfrt_netdev d;
    bpfrt_memset(&d, 0, sizeof(d));
    const char *w;
    size_t n = word(c, &w);
    if (!parse_uint(w, n, &d.ifindex) || !d.ifindex)
        return fail(err, es, line, "bad ifindex", w, n);
    while ((n = word(c, &w)) != 0) {
        const char *v;
        size_t vn;
        uint8_t a[16];
        if (is(w, n, "noforward")) {
            d.no_forwarding = true;
            continue;
        }
        vn = word(c, &v);
        if (is(w, n, "mac") && parse_mac(v, vn, d.mac))
            continue;
        if (is(w, n, "mtu") && parse_uint(v, vn, &d.mtu))
            continue;
        if (is(w, n, "addr") && parse_ip(v, vn, a) == 2) {
            bpfrt_memcpy(d.ipv4, a, 4);
            continue;
        }
        if (is(w, n, "addr6") && parse_ip(v, vn, a) == 10) {
            bpfrt_memcpy(d.ipv6, a, 16);
            continue;
        }
        return fail(err, es, line, "bad dev option", w, n);
    }
    return bpfrt_fib_add_netdev(rt, &d);
}

static const struct {
    const char *name;
    uint8_t type;
} route_types[] = {
    { "blackhole", BPFRT_ROUTE_BLACKHOLE }, { "unreachable", BPFRT_ROUTE_UNREACHABLE },
    { "prohibit", BPFRT_ROUTE_PROHIBIT },   { "local", BPFRT_ROUTE_LOCAL },
};

static int parse_route(struct bpfrt_runtime *rt, struct cursor *c, uint32_t line, char *err, size_t es)
{
    struct bpfrt_route r;
    bpfrt_memset(&r, 0, sizeof(r));
    const char *w;
    size_t n = word(c, &w);
    bool v6 = false;
    if (is(w, n, "-6")) {
        v6 = true;
        n = word(c, &w);
    }
    for (size_t i = 0; i < sizeof(route_types) / sizeof(route_types[0]); i++)
        if (is(w, n, route_types[i].name)) {
            r.type = route_types[i].type;
            n = word(c, &w);
        }
    if (is(w, n, "default")) {
        r.family = v6 ? 10 : 2;
    } else {
        size_t slash = 0;
        while (slash < n && w[slash] != '/')
            slash++;
        r.family = parse_ip(w, slash, r.dst);
        if (!r.family)
            return fail(err, es, line, "bad prefix", w, n);
        uint32_t plen = r.family == 2 ? 32 : 128;
        if (slash < n && !parse_uint(w + slash + 1, n - slash - 1, &plen))
            return fail(err, es, line, "bad prefix length", w, n);
        if (plen > 255)
            return fail(err, es, line, "bad prefix length", w, n);
        r.prefix_len = (uint8_t)plen;
    }
    while ((n = word(c, &w)) != 0) {
        const char *v;
        size_t vn = word(c, &v);
        uint8_t a[16];
        if (is(w, n, "via") && (r.gw_family = parse_ip(v, vn, r.gw)) != 0)
            continue;
        if (is(w, n, "src") && parse_ip(v, vn, a) == r.family) {
            bpfrt_memcpy(r.prefsrc, a, 16);
            continue;
        }
        if ((is(w, n, "dev") && parse_uint(v, vn, &r.ifindex)) || (is(w, n, "metric") && parse_uint(v, vn, &r.metric)) ||
            (is(w, n, "table") && parse_uint(v, vn, &r.table)) || (is(w, n, "mtu") && parse_uint(v, vn, &r.mtu)))
            continue;
        return fail(err, es, line, "bad route option", w, n);
    }
    return bpfrt_fib_add_route(rt, &r);
}

static int parse_neigh(struct bpfrt_runtime *rt, struct cursor *c, uint32_t line, char *err, size_t es)
{
    struct bpfrt_neigh nb;
    bpfrt_memset(&nb, 0, sizeof(nb));
    const char *w;
    size_t n = word(c, &w);
    nb.family = parse_ip(w, n, nb.addr);
    if (!nb.family)
        return fail(err, es, line, "bad address", w, n);
    bool mac = false;
    while ((n = word(c, &w)) != 0) {
        const char *v;
        size_t vn = word(c, &v);
        if (is(w, n, "dev") && parse_uint(v, vn, &nb.ifindex))
            continue;
        if (is(w, n, "lladdr") && parse_mac(v, vn, nb.mac)) {
            mac = true;
            continue;
        }
        return fail(err, es, line, "bad neigh option", w, n);
    }
    if (!mac)
        return fail(err, es, line, "neigh needs", "lladdr", 6);
    return bpfrt_fib_add_neigh(rt, &nb);
}

int bpfrt_fib_load_text(struct bpfrt_runtime *rt, const char *text, size_t len, char *err, size_t err_size)
{
    if (!rt || (!text && len))
        return -BPFRT_EINVAL;
    if (err && err_size)
        err[0] = '\0';
    uint32_t line = 0;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *eol = p;
        while (eol < end && *eol != '\n' && *eol != '#')
            eol++;
        struct cursor c = { p, eol };
        line++;
        const char *w;
        size_t n = word(&c, &w);
        int rc = 0;
        if (is(w, n, "dev"))
            rc = parse_dev(rt, &c, line, err, err_size);
        else if (is(w, n, "route"))
            rc = parse_route(rt, &c, line, err, err_size);
        else if (is(w, n, "neigh"))
            rc = parse_neigh(rt, &c, line, err, err_size);
        else if (n)
            rc = fail(err, err_size, line, "unknown entry", w, n);
        if (rc) {
            if (err && err_size && !err[0])
                bpfrt_snprintf(err, err_size, "line %u: %s", line, bpfrt_strerror(rc));
            return rc;
        }
        while (eol < end && *eol != '\n')
            eol++;
        p = eol + 1;
    }
    return 0;
}
