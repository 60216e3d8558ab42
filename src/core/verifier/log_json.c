/* The machine-readable verifier log (PROG_LOAD log_level bit
 * BPFRT_LOG_JSON, `bpfrt verify --log-format json`): one JSON document in
 * the caller's log buffer instead of Linux's text, with what the walk saw
 * at each processed instruction - the path it is on, the instruction, the
 * registers and stack slots of the current frame after it - and the
 * verdict, with Linux's level-1 text log (the failing path and the error)
 * alongside. The content mirrors kernel/bpf/log.c's print_verifier_state
 * (the same register kinds, bounds and slot types); the format is bpfrt's
 * own, described in docs/verifier.md:
 *
 *   {"format": "bpfrt-verifier-log", "version": 1, "steps": [
 *     {"path": 0, "insn": 0, "frame": 0, "code": "(bf) r6 = r1",
 *      "regs": {"r1": {"type": "ctx"}, ...}, "stack": [...]},
 *     {"path": 1, "from": 3, "to": 7},          (a queued branch resumes; from -1: a
 *                                                 function verified on its own starts)
 *     {"path": 1, "insn": 7, "safe": true},     (pruned: an explored state covers it)
 *     {"path": 1, "insn": 9, ..., "refused": true},
 *   ], "verdict": {"accepted": false, "errno": 13, "error": "...", "processed": 12, ...,
 *     "log": "<the level-1 text log>"}}
 *
 * The document is written in BPF_LOG_FIXED fashion (its head is kept); a
 * buffer too small for it gives -ENOSPC and log_true_size, as Linux. */
#include "core/verifier/verifier.h"

/* One piece of JSON text (short: the vlog cuts messages at 1023 bytes). */
#define J(j, ...) bpfrt_vlog_printf(&(j)->log, __VA_ARGS__)

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_str(struct bpfrt_vjson *j, const char *s, size_t n)
{
    char buf[256];
    size_t k = 0;
    buf[k++] = '"';
    for (size_t i = 0; i < n && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if (k > sizeof(buf) - 8) {
            bpfrt_vlog_write(&j->log, buf, (uint32_t)k);
            k = 0;
        }
        if (c == '"' || c == '\\') {
            buf[k++] = '\\';
            buf[k++] = (char)c;
        } else if (c == '\n') {
            buf[k++] = '\\';
            buf[k++] = 'n';
        } else if (c == '\t') {
            buf[k++] = '\\';
            buf[k++] = 't';
        } else if (c < 0x20 || c >= 0x7f) {
            k += (size_t)bpfrt_snprintf(buf + k, sizeof(buf) - k, "\\u%04x", c);
        } else {
            buf[k++] = (char)c;
        }
    }
    buf[k++] = '"';
    bpfrt_vlog_write(&j->log, buf, (uint32_t)k);
}

int bpfrt_vjson_begin(struct bpfrt_vjson *j, char *buf, uint32_t size)
{
    bpfrt_memset(j, 0, sizeof(*j));
    int err = bpfrt_vlog_init(&j->log, BPF_LOG_LEVEL | BPF_LOG_FIXED, buf, size);
    if (!err)
        J(j, "{\"format\": \"bpfrt-verifier-log\", \"version\": 1, \"steps\": [");
    return err;
}

static void step_open(struct bpfrt_vjson *j, uint32_t path)
{
    J(j, "%s\n{\"path\": %u", j->steps++ ? "," : "", path);
}

static void json_bounds(struct bpfrt_vjson *j, const struct bpfrt_bounds *b)
{
    J(j, ", \"smin\": %lld, \"smax\": %lld, \"umin\": %llu, \"umax\": %llu", (long long)b->smin_value,
      (long long)b->smax_value, (unsigned long long)b->umin_value, (unsigned long long)b->umax_value);
    J(j, ", \"smin32\": %d, \"smax32\": %d, \"umin32\": %u, \"umax32\": %u", b->s32_min_value, b->s32_max_value,
      b->u32_min_value, b->u32_max_value);
    J(j, ", \"var_off\": {\"value\": %llu, \"mask\": %llu}", (unsigned long long)b->var_off.value,
      (unsigned long long)b->var_off.mask);
}

/* One register as print_reg_state shows it, as a JSON object. */
static void json_reg(struct venv *env, struct bpfrt_vjson *j, const struct vreg *r)
{
    const char *t = bpfrt_v_reg_type_str(env, r->type, r->flags);
    J(j, "{\"type\": ");
    json_str(j, t, bpfrt_strlen(t));
    if (r->type == SCALAR_VALUE && r->precise)
        J(j, ", \"precise\": true");
    if (r->id)
        J(j, ", \"id\": %u", r->id & ~BPF_ADD_CONST);
    if (r->type == SCALAR_VALUE && (r->id & BPF_ADD_CONST))
        J(j, ", \"delta\": %d, \"delta32\": %s", r->off, (r->id & BPF_ADD_CONST32) ? "true" : "false");
    if (r->ref_obj_id)
        J(j, ", \"ref_obj_id\": %u", r->ref_obj_id);
    if (r->map && (r->type == CONST_PTR_TO_MAP || r->type == PTR_TO_MAP_KEY || r->type == PTR_TO_MAP_VALUE)) {
        J(j, ", \"map\": ");
        json_str(j, r->map->name, sizeof(r->map->name));
        J(j, ", \"key_size\": %u, \"value_size\": %u", r->map->key_size, r->map->value_size);
    }
    if (r->type != SCALAR_VALUE)
        J(j, ", \"off\": %d", r->off);
    if (r->type == PTR_TO_STACK)
        J(j, ", \"frame\": %u", r->frameno);
    if (type_is_pkt_pointer(r->type))
        J(j, ", \"range\": %d", r->reg_range);
    if (r->type == PTR_TO_MEM)
        J(j, ", \"size\": %d", r->reg_mem_size);
    if (bpfrt_tnum_is_const(r->s.var_off))
        J(j, ", \"value\": %lld", (long long)r->s.var_off.value);
    else
        json_bounds(j, &r->s);
    J(j, "}");
}

static const char slot_chars[] = { [STACK_INVALID] = '?', [STACK_SPILL] = 'r', [STACK_MISC] = 'm',
                                   [STACK_ZERO] = '0' };

/* The current frame's registers and written stack slots. */
static void json_state(struct venv *env, struct bpfrt_vjson *j)
{
    const struct vframe *f = cur_func(env);
    J(j, ", \"frame\": %u, \"regs\": {", f->frameno);
    const char *sep = "";
    for (uint32_t i = 0; i < MAX_BPF_REG; i++) {
        if (f->regs[i].type == NOT_INIT)
            continue;
        J(j, "%s\"r%u\": ", sep, i);
        json_reg(env, j, &f->regs[i]);
        sep = ", ";
    }
    J(j, "}, \"stack\": [");
    sep = "";
    for (uint32_t i = 0; i < f->nslots; i++) {
        const struct vslot *s = &f->stack[i];
        char types[BPF_REG_SIZE + 1];
        bool used = false;
        for (int k = 0; k < BPF_REG_SIZE; k++) {
            types[k] = slot_chars[s->slot_type[k] & 3];
            used |= s->slot_type[k] != STACK_INVALID;
        }
        types[BPF_REG_SIZE] = '\0';
        if (!used)
            continue;
        J(j, "%s{\"off\": %d, \"slots\": \"%s\"", sep, -(int)(i + 1) * BPF_REG_SIZE, types);
        if (bpfrt_v_is_spilled_reg(s)) {
            J(j, ", \"spilled\": ");
            json_reg(env, j, &s->spilled_ptr);
        }
        J(j, "}");
        sep = ", ";
    }
    J(j, "]");
}

void bpfrt_v_json_step(struct venv *env, uint32_t idx, int32_t from, enum bpfrt_v_json_kind kind)
{
    struct bpfrt_vjson *j = env->args->json;
    if (!j)
        return;
    step_open(j, env->json_path);
    if (kind == VJSON_PATH) {
        J(j, ", \"from\": %d, \"to\": %u}", from, idx);
        return;
    }
    J(j, ", \"insn\": %u", idx);
    if (kind == VJSON_SAFE) {
        J(j, ", \"safe\": true}");
        return;
    }
    char text[160];
    bpfrt_v_insn_text(env, idx, text, sizeof(text));
    J(j, ", \"code\": ");
    json_str(j, text, sizeof(text));
    if (env->cur_state)
        json_state(env, j);
    J(j, "%s}", kind == VJSON_REFUSED ? ", \"refused\": true" : "");
}

/* The error: the level-1 log's last line before the statistics. */
static void error_line(const char *text, const char **line, size_t *len)
{
    *line = "";
    *len = 0;
    for (const char *s = text; s && *s;) {
        const char *nl = bpfrt_strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : bpfrt_strlen(s);
        if (n && bpfrt_strncmp(s, "processed ", 10) && bpfrt_strncmp(s, "verification time", 17) &&
            bpfrt_strncmp(s, "stack depth", 11)) {
            *line = s;
            *len = n;
        }
        s = nl ? nl + 1 : NULL;
    }
}

int bpfrt_vjson_end(struct bpfrt_vjson *j, int err, const char *text, const struct bpfrt_vlog_stats *st,
                    uint32_t *true_size)
{
    J(j, "\n], \"verdict\": {\"accepted\": %s, \"errno\": %d, \"error\": ", err ? "false" : "true", err < 0 ? -err : 0);
    const char *line;
    size_t len;
    error_line(err ? text : NULL, &line, &len);
    json_str(j, line, len);
    J(j, ", \"processed\": %u, \"max_states_per_insn\": %u, \"total_states\": %u, \"peak_states\": %u",
      st->insn_processed, st->max_states_per_insn, st->total_states, st->peak_states);
    J(j, ", \"stack_depth\": [");
    for (uint32_t i = 0; i < st->nr_subprogs; i++)
        J(j, "%s%u", i ? ", " : "", st->stack_depths ? st->stack_depths[i] : 0);
    J(j, "], \"log\": ");
    json_str(j, text ? text : "", text ? bpfrt_strlen(text) : 0);
    J(j, "}}\n");
    return bpfrt_vlog_finalize(&j->log, true_size);
}
