/*
 * show_picture.c — `sockrr show --svg/--html`: a trace drawn as a sequence
 * diagram.  A lane per endpoint: each socket of the trace (its process, id
 * and addresses), each peer the trace does not hold (an address), and a
 * process's calls on no socket.  An arrow per message, from the sender's
 * lane to the receiver's, with its size and a preview; connects as dashed
 * arrows; accepts, closes, ends of stream, errors, timeouts and what the
 * world refused marked on their lanes; a time axis down the left, virtual
 * under sim, replay and fuzz.  Clock reads (`now`) are left out unless
 * asked for: they are no exchange, and a sim trace is full of them.  Repeats (the same call with the same answer
 * on the same lane, one after another: a poll loop) fold into one row with
 * a count, and every row carries its `sockrr show` line as a tooltip.  The
 * HTML page is the SVG with zoom and a legend, one file, no network.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "grow.h"
#include "out_file.h"
#include "show.h"
#include "trace.h"

enum { LANE_W = 190, ROW_H = 24, TOP = 92, LEFT = 112, MAX_ROWS = 20000 };
enum { LANE_PROC, LANE_SOCK, LANE_PEER };
enum { ROW_BOX, ROW_SEND, ROW_RECV, ROW_CONNECT };

typedef struct pic_lane {
    int kind;
    int64_t pid, sock;
    char *family, *stype, *local, *peer; /* sockets: what the events said last */
    char *key;                           /* peers: the address */
    int pair;                            /* sockets: the lane of the other end, or -1 */
    int accepted;                        /* sockets: made by accept4 */
    int used;                            /* drawn: has a row */
} pic_lane;

typedef struct pic_row {
    const srr_json *ev;
    int lane, to; /* to: the other lane of an arrow, or -1 */
    int kind;
    unsigned fold; /* the same call again, folded into this row */
} pic_row;

typedef struct pic {
    pic_lane *lanes;
    size_t nlanes, lanes_cap;
    int *order; /* lanes as drawn, left to right */
    pic_row *rows;
    size_t nrows, rows_cap, hidden;
    struct show_ctx show;
    int64_t start;
    const char *world, *program;
} pic;

/* ------------------------------------------------------------ lanes */

static int lane_add(pic *p, int kind, int64_t pid, int64_t sock, const char *key)
{
    if (srr__grow((void **)&p->lanes, &p->lanes_cap, p->nlanes + 1, sizeof *p->lanes) < 0)
        return -1;
    pic_lane *l = &p->lanes[p->nlanes];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->pid = pid;
    l->sock = sock;
    l->pair = -1;
    if (key && !(l->key = strdup(key)))
        return -1;
    return (int)p->nlanes++;
}

static int lane_of_sock(pic *p, int64_t sock, int64_t pid, int make)
{
    for (size_t i = 0; i < p->nlanes; i++)
        if (p->lanes[i].kind == LANE_SOCK && p->lanes[i].sock == sock)
            return (int)i;
    return make ? lane_add(p, LANE_SOCK, pid, sock, NULL) : -1;
}

static int lane_of_proc(pic *p, int64_t pid)
{
    for (size_t i = 0; i < p->nlanes; i++)
        if (p->lanes[i].kind == LANE_PROC && p->lanes[i].pid == pid)
            return (int)i;
    return lane_add(p, LANE_PROC, pid, 0, NULL);
}

/* The lane an address leads to: the traced socket bound there, else the
 * peer's own lane (made on first use). */
static int lane_of_addr(pic *p, const char *addr)
{
    if (!addr || !*addr)
        return -1;
    for (size_t i = 0; i < p->nlanes; i++)
        if (p->lanes[i].kind == LANE_SOCK && p->lanes[i].local &&
            !strcmp(p->lanes[i].local, addr) &&
            !(p->lanes[i].stype && !strcmp(p->lanes[i].stype, "SOCK_STREAM")))
            return (int)i;
    for (size_t i = 0; i < p->nlanes; i++)
        if (p->lanes[i].kind == LANE_PEER && !strcmp(p->lanes[i].key, addr))
            return (int)i;
    return lane_add(p, LANE_PEER, 0, 0, addr);
}

static void keep(char **slot, const char *v)
{
    if (v && *v)
        show_set(slot, v);
}

/* What an event says of its socket's lane. */
static int learn(pic *p, const srr_json *ev)
{
    int64_t pid = show_int(ev, "pid");
    if (lane_of_proc(p, pid) < 0) /* a process's lane before its sockets' (drawn when used) */
        return -1;
    const srr_json *own = srr__json_get(ev, "sock");
    if (own) {
        int l = lane_of_sock(p, srr__json_int(own), pid, 1);
        if (l < 0)
            return -1;
        pic_lane *k = &p->lanes[l];
        keep(&k->family, show_str(ev, "family"));
        keep(&k->stype, show_str(ev, "stype"));
        keep(&k->local, show_str(ev, "local"));
        keep(&k->peer, show_str(ev, "peer"));
    }
    const srr_json *made = srr__json_get(ev, "new_sock");
    if (made) {
        int l = lane_of_sock(p, srr__json_int(made), pid, 1);
        if (l < 0)
            return -1;
        pic_lane *k = &p->lanes[l];
        k->accepted = 1;
        keep(&k->family, show_str(ev, "family"));
        keep(&k->stype, show_str(ev, "stype"));
        keep(&k->local, show_str(ev, "new_local"));
        keep(&k->peer, show_str(ev, "new_peer"));
    }
    const srr_json *pair = srr__json_get(ev, "socks");
    if (srr__json_size(pair) == 2 && !strcmp(show_str(ev, "op"), "socketpair")) {
        int a = lane_of_sock(p, srr__json_int(srr__json_at(pair, 0)), pid, 1);
        int b = a < 0 ? -1 : lane_of_sock(p, srr__json_int(srr__json_at(pair, 1)), pid, 1);
        if (b < 0)
            return -1;
        p->lanes[a].pair = b;
        p->lanes[b].pair = a;
        keep(&p->lanes[a].family, show_str(ev, "family"));
        keep(&p->lanes[b].family, show_str(ev, "family"));
        keep(&p->lanes[a].stype, show_str(ev, "stype"));
        keep(&p->lanes[b].stype, show_str(ev, "stype"));
    }
    return 0;
}

static int str_is(const char *a, const char *b)
{
    return a && b && *a && !strcmp(a, b);
}

/* The two ends of a connection both in the trace: addresses that mirror
 * each other; an unnamed AF_UNIX client, the next accepted socket on the
 * path it connected to. */
static void pair_ends(pic *p)
{
    for (size_t i = 0; i < p->nlanes; i++) {
        pic_lane *a = &p->lanes[i];
        if (a->kind != LANE_SOCK || a->pair >= 0 || !a->peer)
            continue;
        for (size_t j = 0; j < p->nlanes; j++) {
            pic_lane *b = &p->lanes[j];
            if (j == i || b->kind != LANE_SOCK || b->pair >= 0)
                continue;
            int mirror = str_is(a->peer, b->local) && str_is(a->local, b->peer);
            int unix_client = a->family && !strcmp(a->family, "AF_UNIX") && !a->accepted &&
                              (!a->local || !*a->local) && b->accepted && str_is(a->peer, b->local);
            if (mirror || unix_client) {
                a->pair = (int)j;
                b->pair = (int)i;
                break;
            }
        }
    }
}

/* ------------------------------------------------------------ rows */

static const char *ev_op(const srr_json *ev)
{
    const char *op = show_str(ev, "op");
    return op ? op : "?";
}

static int row_add(pic *p, const srr_json *ev, int lane, int to, int kind)
{
    p->lanes[lane].used = 1;
    if (to >= 0)
        p->lanes[to].used = 1;
    /* the same call with the same answer on the same lane as the last row,
     * moving no bytes: a repeat */
    if (p->nrows && kind == ROW_BOX && !srr__json_get(ev, "data")) {
        pic_row *last = &p->rows[p->nrows - 1];
        const srr_json *le = last->ev;
        if (last->lane == lane && last->kind == ROW_BOX && !srr__json_get(le, "data") &&
            !strcmp(ev_op(le), ev_op(ev)) &&
            show_int(le, "ret") == show_int(ev, "ret") &&
            str_is(show_str(le, "errno") ? show_str(le, "errno") : "-",
                   show_str(ev, "errno") ? show_str(ev, "errno") : "-")) {
            last->fold++;
            return 0;
        }
    }
    if (p->nrows >= MAX_ROWS) {
        p->hidden++;
        return 0;
    }
    if (srr__grow((void **)&p->rows, &p->rows_cap, p->nrows + 1, sizeof *p->rows) < 0)
        return -1;
    p->rows[p->nrows++] = (pic_row){ev, lane, to, kind, 0};
    return 0;
}

static int place(pic *p, const srr_json *ev)
{
    const char *op = ev_op(ev);
    int64_t pid = show_int(ev, "pid"), ret = show_int(ev, "ret");
    const srr_json *own = srr__json_get(ev, "sock");
    if (!own && !strcmp(op, "socketpair")) {
        const srr_json *pair = srr__json_get(ev, "socks");
        own = srr__json_size(pair) ? srr__json_at(pair, 0) : NULL;
    }
    if (!own) {
        int l = lane_of_proc(p, pid);
        return l < 0 ? -1 : row_add(p, ev, l, -1, ROW_BOX);
    }
    int l = lane_of_sock(p, srr__json_int(own), pid, 0);
    if (l < 0) /* learn() made a lane for every socket an event names */
        return -1;
    const pic_lane *k = &p->lanes[l];
    int send = !strcmp(op, "sendmsg"), recv = !strcmp(op, "recvmsg");
    if ((send || recv) && ret > 0) {
        const char *addr = send ? srr__json_str(show_arg(ev, "to")) : show_str(ev, "from");
        int other = k->pair >= 0 ? k->pair : lane_of_addr(p, addr && *addr ? addr : k->peer);
        /* a receive whose sender is drawn already arrived on its arrow */
        int kind = send ? ROW_SEND : ROW_RECV;
        if (recv && other >= 0 && p->lanes[other].kind == LANE_SOCK)
            other = -1;
        return row_add(p, ev, l, other, other < 0 && recv ? ROW_BOX : kind);
    }
    if (!strcmp(op, "connect")) {
        const char *to = srr__json_str(show_arg(ev, "addr"));
        int other = k->pair >= 0 ? k->pair : lane_of_addr(p, to);
        return row_add(p, ev, l, other, ROW_CONNECT);
    }
    return row_add(p, ev, l, -1, ROW_BOX);
}

/* ------------------------------------------------------------ drawing */

/* Text as XML character data: markup escaped, control bytes and bytes
 * outside ASCII (a trace may hold any) as '?'. */
static void xml(FILE *out, const char *s, size_t max)
{
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c && n < max; c++, n++) {
        switch (*c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*c < 0x20 || *c >= 0x7f ? '?' : *c, out);
        }
    }
    if (s && strlen(s) > max)
        fputs("...", out);
}

/* The `sockrr show` line of an event, for a tooltip (malloc'd). */
static char *show_line(pic *p, const srr_json *ev)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return NULL;
    FILE *was = p->show.out;
    int dump = p->show.hexdump;
    p->show.out = m;
    p->show.hexdump = 0;
    show_event(&p->show, ev, p->start);
    p->show.out = was;
    p->show.hexdump = dump;
    fclose(m);
    if (buf && len && buf[len - 1] == '\n')
        buf[len - 1] = '\0';
    return buf;
}

/* A lane's middle: the drawn lanes (those with rows) side by side. */
static int lane_x(const pic *p, int lane)
{
    int col = 0;
    for (size_t i = 0; i < p->nlanes && p->order[i] != lane; i++)
        col += p->lanes[p->order[i]].used;
    return LEFT + col * LANE_W + LANE_W / 2;
}

static void lane_title(FILE *out, const pic *p, const pic_lane *l, int x)
{
    char line[3][160] = {"", "", ""};
    if (l->kind == LANE_PROC) {
        snprintf(line[0], sizeof line[0], "process %lld", (long long)l->pid);
        snprintf(line[1], sizeof line[1], "calls on no socket");
    } else if (l->kind == LANE_PEER) {
        snprintf(line[0], sizeof line[0], "peer");
        snprintf(line[1], sizeof line[1], "%s", l->key);
        snprintf(line[2], sizeof line[2], "(not in the trace)");
    } else {
        snprintf(line[0], sizeof line[0], "pid %lld \xc2\xb7 sock %lld", (long long)l->pid,
                 (long long)l->sock);
        const char *fam = l->family ? l->family : "", *st = l->stype ? l->stype : "";
        snprintf(line[1], sizeof line[1], "%s %s", fam + (strncmp(fam, "AF_", 3) ? 0 : 3),
                 st + (strncmp(st, "SOCK_", 5) ? 0 : 5));
        snprintf(line[2], sizeof line[2], "%s", l->local && *l->local ? l->local : "(unnamed)");
    }
    const char *cls = l->kind == LANE_PEER ? "peer" : l->kind == LANE_PROC ? "proc" : "sock";
    fprintf(out, "<g class=\"lane %s\"><rect x=\"%d\" y=\"8\" width=\"%d\" height=\"64\" rx=\"6\"/>",
            cls, x - LANE_W / 2 + 6, LANE_W - 12);
    for (int i = 0; i < 3; i++) {
        fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"t%d\">", x, 28 + i * 17, i);
        /* the first line holds UTF-8 of our own (the middle dot) */
        if (i == 0)
            fputs(line[0], out);
        else
            xml(out, line[i], 30);
        fputs("</text>", out);
    }
    fprintf(out, "<line x1=\"%d\" y1=\"72\" x2=\"%d\" y2=\"%zu\" class=\"life\"/></g>\n", x, x,
             (size_t)TOP + p->nrows * ROW_H + 10);
}

/* What a row says on its lane or its arrow. */
static void row_label(FILE *out, const srr_json *ev, const pic_row *r)
{
    const char *op = ev_op(ev), *err = show_str(ev, "errno");
    int64_t ret = show_int(ev, "ret");
    if (r->kind == ROW_SEND || r->kind == ROW_RECV ||
        (!strcmp(op, "recvmsg") && ret > 0)) {
        size_t n = 0;
        unsigned char *data = show_b64(srr__json_get(ev, "data"), &n);
        char *buf = NULL;
        size_t blen = 0;
        FILE *m = open_memstream(&buf, &blen);
        if (m) {
            fprintf(m, "%lld B ", (long long)ret);
            if (data)
                show_preview(m, data, n < 24 ? n : 24, show_int(ev, "len"));
            fclose(m);
            xml(out, buf, r->to >= 0 ? 60 : 24); /* a box is a lane wide */
        }
        free(buf);
        free(data);
        return;
    }
    if (!strcmp(op, "recvmsg") && ret == 0 && !err) {
        fputs("end of stream", out);
        return;
    }
    if (!strcmp(op, "poll") && ret == 0) {
        fputs("poll: timed out", out);
        return;
    }
    xml(out, op, 20);
    if (!strcmp(op, "accept4") && srr__json_get(ev, "new_sock"))
        fprintf(out, " \xe2\x86\x92 sock %lld", (long long)show_int(ev, "new_sock"));
    if (err) {
        fputc(' ', out);
        xml(out, err, 20);
    }
}

static const char *row_class(const srr_json *ev, const pic_row *r)
{
    const char *op = ev_op(ev), *err = show_str(ev, "errno");
    if ((err && (!strcmp(err, "EAGAIN") || !strcmp(err, "ETIMEDOUT") ||
                 !strcmp(err, "EINPROGRESS"))) ||
        (!strcmp(op, "poll") && show_int(ev, "ret") == 0) || !strcmp(op, "sleep"))
        return "wait";
    if (err || !strcmp(op, "unsupported") || !strcmp(op, "lost"))
        return "err";
    if (r->kind == ROW_SEND || r->kind == ROW_RECV)
        return "msg";
    if (!strcmp(op, "close") || (!strcmp(op, "recvmsg") && show_int(ev, "ret") == 0))
        return "end";
    if (!strcmp(op, "connect") || !strcmp(op, "accept4") || !strcmp(op, "listen"))
        return "conn";
    return "call";
}

static void draw_row(FILE *out, pic *p, size_t i)
{
    const pic_row *r = &p->rows[i];
    const srr_json *ev = r->ev;
    int y = TOP + (int)i * ROW_H + ROW_H / 2, x = lane_x(p, r->lane);
    int64_t rel = show_int(ev, "t") - p->start;
    char *tip = show_line(p, ev);
    fprintf(out, "<g class=\"row %s\"><title>", row_class(ev, r));
    xml(out, tip, 4000);
    if (r->fold)
        fprintf(out, " (and %u more like it)", r->fold);
    free(tip);
    fprintf(out, "</title><text x=\"%d\" y=\"%d\" class=\"time\">+%lld.%06lld</text>", LEFT - 8,
            y + 4, (long long)(rel / 1000000000), (long long)(rel % 1000000000 / 1000));
    if (r->to >= 0) {
        int tx = lane_x(p, r->to);
        int from = r->kind == ROW_RECV ? tx : x, to = r->kind == ROW_RECV ? x : tx;
        int dir = to > from ? 1 : -1;
        fprintf(out,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"arrow%s\"/>"
                "<path d=\"M%d %d l%d -5 l0 10 z\" class=\"head\"/>",
                from, y, to - dir * 7, y, r->kind == ROW_CONNECT ? " dashed" : "", to, y,
                -dir * 8);
        fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"label\">", (from + to) / 2, y - 4);
    } else {
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"3\" class=\"box\"/>",
                x - LANE_W / 2 + 14, y - ROW_H / 2 + 3, LANE_W - 28, ROW_H - 6);
        fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"label\">", x, y + 4);
    }
    row_label(out, ev, r);
    if (r->fold)
        fprintf(out, " \xc3\x97%u", r->fold + 1);
    fputs("</text></g>\n", out);
}

static const char svg_style[] =
    "text{font:12px sans-serif;text-anchor:middle;fill:#222}"
    ".t0{font-weight:bold}.t2{fill:#555}.time{text-anchor:end;fill:#777;font-size:11px;"
    "font-family:monospace}"
    ".lane rect{fill:#eef3fb;stroke:#6a8bbf}.lane.peer rect{fill:#f6f6f6;stroke:#999;"
    "stroke-dasharray:4 3}.lane.proc rect{fill:#f3f0fa;stroke:#8a78b8}"
    ".life{stroke:#bbb;stroke-dasharray:3 4}"
    ".arrow{stroke:#2a62b8;stroke-width:1.6}.head{fill:#2a62b8}.dashed{stroke-dasharray:6 4}"
    ".box{fill:#fff;stroke:#aaa}.row.err .box{stroke:#c62828;fill:#fdecea}"
    ".row.err text.label{fill:#b71c1c}.row.wait .box{stroke:#ef8f00;fill:#fff4e0}"
    ".row.end .box{stroke:#555;fill:#eee}.row.conn .box{stroke:#2a62b8}"
    ".row.conn .arrow{stroke:#1b7f3b}.row.conn .head{fill:#1b7f3b}"
    ".row.err .arrow{stroke:#c62828}.row.err .head{fill:#c62828}"
    ".row:hover .box,.row:hover .arrow{stroke-width:2.5}";

static void draw_svg(FILE *out, pic *p, const char *trace, int standalone)
{
    size_t lanes = 0;
    for (size_t i = 0; i < p->nlanes; i++)
        lanes += p->lanes[i].used;
    int w = LEFT + (int)(lanes ? lanes : 1) * LANE_W + 20;
    size_t h = (size_t)TOP + p->nrows * ROW_H + 40;
    if (standalone)
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"diagram\" width=\"%d\" height=\"%zu\" "
            "viewBox=\"0 0 %d %zu\">\n<style>%s</style>\n<rect width=\"100%%\" height=\"100%%\" "
            "fill=\"#fff\"/>\n<title>",
            w, h, w, h, svg_style);
    xml(out, trace, 200);
    fputs("</title>\n", out);
    fprintf(out, "<text x=\"%d\" y=\"28\" class=\"t0\">%s time</text>"
                 "<text x=\"%d\" y=\"45\" class=\"t2\">s since start</text>\n",
            LEFT / 2, p->world && strcmp(p->world, "kernel") ? "virtual" : "real", LEFT / 2);
    for (size_t i = 0; i < p->nlanes; i++)
        if (p->lanes[p->order[i]].used)
            lane_title(out, p, &p->lanes[p->order[i]], lane_x(p, p->order[i]));
    for (size_t i = 0; i < p->nrows; i++)
        draw_row(out, p, i);
    if (p->hidden)
        fprintf(out, "<text x=\"%d\" y=\"%zu\" class=\"t2\">%zu more events are not drawn "
                     "(choose some with --pid, --sock or --op)</text>\n",
                w / 2, h - 12, p->hidden);
    fputs("</svg>\n", out);
}

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<meta name=\"generator\" content=\"sockrr show --html\">\n<title>";
static const char html_style[] =
    "body{margin:0;font:13px sans-serif;color:#222}"
    "#bar{position:sticky;top:0;z-index:1;background:#fafafa;border-bottom:1px solid #ddd;"
    "padding:6px 10px;display:flex;gap:14px;align-items:center;flex-wrap:wrap}"
    "#bar button{font:inherit;padding:2px 9px}#view{overflow:auto}"
    ".key{display:inline-block;width:12px;height:12px;border:1px solid;vertical-align:middle;"
    "margin-right:3px}";
static const char html_script[] =
    "(function(){var s=document.getElementById('diagram'),w=+s.getAttribute('width'),"
    "h=+s.getAttribute('height'),z=1,l=document.getElementById('zoom');"
    "function set(v){z=Math.min(8,Math.max(0.1,v));s.setAttribute('width',w*z);"
    "s.setAttribute('height',h*z);l.textContent=Math.round(z*100)+'%';}"
    "document.getElementById('in').onclick=function(){set(z*1.25)};"
    "document.getElementById('out').onclick=function(){set(z/1.25)};"
    "document.getElementById('fit').onclick=function(){set(Math.min(1,"
    "document.getElementById('view').clientWidth/w))};"
    "document.getElementById('one').onclick=function(){set(1)};"
    "document.getElementById('view').addEventListener('wheel',function(e){if(e.ctrlKey){"
    "e.preventDefault();set(z*(e.deltaY<0?1.1:1/1.1));}},{passive:false});})();";

static void draw_html(FILE *out, pic *p, const char *trace)
{
    fputs(html_head, out);
    fputs("sockrr: ", out);
    xml(out, trace, 200);
    fprintf(out, "</title>\n<style>%s</style></head><body>\n<div id=\"bar\"><b>", html_style);
    xml(out, trace, 200);
    fprintf(out, "</b><span>");
    xml(out, p->program, 60);
    fputs(" \xc2\xb7 world ", out);
    xml(out, p->world ? p->world : "?", 40);
    fprintf(out, " \xc2\xb7 %zu rows</span>", p->nrows);
    fputs("<span><button id=\"out\">\xe2\x88\x92</button> <span id=\"zoom\">100%</span> "
          "<button id=\"in\">+</button> <button id=\"fit\">fit</button> "
          "<button id=\"one\">1:1</button> (ctrl+wheel zooms)</span>"
          "<span><i class=\"key\" style=\"background:#fff;border-color:#2a62b8\"></i>message "
          "<i class=\"key\" style=\"background:#fff;border-color:#1b7f3b\"></i>connect "
          "<i class=\"key\" style=\"background:#fff4e0;border-color:#ef8f00\"></i>would block, "
          "timeout <i class=\"key\" style=\"background:#fdecea;border-color:#c62828\"></i>error "
          "<i class=\"key\" style=\"background:#eee;border-color:#555\"></i>close, end</span>"
          "<span>\xc3\x97N: repeats folded; hover a row for its show line</span></div>\n"
          "<div id=\"view\">\n",
          out);
    draw_svg(out, p, trace, 0);
    fprintf(out, "</div>\n<script>%s</script>\n</body></html>\n", html_script);
}

/* ------------------------------------------------------------ the job */

static void pic_free(pic *p, srr_json **evs, size_t nevs)
{
    for (size_t i = 0; i < p->nlanes; i++) {
        pic_lane *l = &p->lanes[i];
        free(l->family);
        free(l->stype);
        free(l->local);
        free(l->peer);
        free(l->key);
    }
    free(p->lanes);
    free(p->order);
    free(p->rows);
    show_socks_free(&p->show.socks);
    for (size_t i = 0; i < nevs; i++)
        srr__json_free(evs[i]);
    free(evs);
}

/* Lanes left to right: each process's own, then its sockets each next to
 * the other end when that is in the trace, then the peers. */
static int lane_order(pic *p)
{
    p->order = malloc((p->nlanes ? p->nlanes : 1) * sizeof *p->order);
    unsigned char *placed = calloc(p->nlanes ? p->nlanes : 1, 1);
    if (!p->order || !placed) {
        free(placed);
        return -1;
    }
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < p->nlanes; i++) {
            const pic_lane *l = &p->lanes[i];
            if (placed[i] || (pass == 0) != (l->kind != LANE_PEER))
                continue;
            p->order[n++] = (int)i;
            placed[i] = 1;
            if (l->kind == LANE_SOCK && l->pair >= 0 && !placed[l->pair]) {
                p->order[n++] = l->pair;
                placed[l->pair] = 1;
            }
        }
    free(placed);
    return 0;
}

int show_picture(const char *trace, int (*match)(const void *f, const srr_json *ev),
                 const void *filter, int clock, const char *svg, const char *html)
{
    srr_parse_error err;
    char msg[1024];
    srr_trace_reader *r = srr__trace_open(trace, &err);
    if (!r) {
        fprintf(stderr, "sockrr show: %s\n", srr__parse_error_format(&err, msg, sizeof msg));
        return SRR_EXIT_FAIL;
    }
    pic p = {0};
    srr_json **evs = NULL;
    size_t nevs = 0, evs_cap = 0;
    int status = SRR_EXIT_OK, rc;
    const srr_json *h = srr__trace_header(r);
    p.start = srr__json_int(srr__json_get(h, "start_monotonic_ns"));
    p.world = srr__json_str(srr__json_get(h, "world"));
    p.program = srr__json_str(srr__json_get(h, "program"));
    srr_json *ev;
    while ((rc = srr__trace_next(r, &ev, &err)) != 0) {
        if (rc < 0) {
            fprintf(stderr, "sockrr show: %s\n", srr__parse_error_format(&err, msg, sizeof msg));
            status = SRR_EXIT_FAIL;
            break;
        }
        if (srr__grow((void **)&evs, &evs_cap, nevs + 1, sizeof *evs) < 0) {
            srr__json_free(ev);
            status = -1;
            break;
        }
        evs[nevs++] = ev;
        show_learn(&p.show.socks, ev);
        if (learn(&p, ev) < 0) {
            status = -1;
            break;
        }
    }
    if (status == SRR_EXIT_OK && srr__trace_torn(r, &err))
        fprintf(stderr, "sockrr show: warning: %s\n", srr__parse_error_format(&err, msg, sizeof msg));
    if (status == SRR_EXIT_OK) {
        pair_ends(&p);
        for (size_t i = 0; i < nevs && status == SRR_EXIT_OK; i++)
            if ((!match || match(filter, evs[i])) &&
                (clock || strcmp(ev_op(evs[i]), "now") != 0) && place(&p, evs[i]) < 0)
                status = -1;
        if (status == SRR_EXIT_OK && lane_order(&p) < 0)
            status = -1;
    }
    const char *outs[2] = {svg, html};
    for (int k = 0; k < 2 && status == SRR_EXIT_OK; k++) {
        if (!outs[k])
            continue;
        /* a picture holds payloads' previews: 0600, as traces are */
        int to_stdout = !strcmp(outs[k], "-");
        int fd = to_stdout ? -1 : srr__out_open(outs[k]);
        FILE *f = to_stdout ? stdout : fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!f) {
            int e = fd < 0 ? -fd : errno;
            if (fd >= 0)
                close(fd);
            fprintf(stderr, "sockrr show: %s: %s\n", outs[k], strerror(e));
            status = SRR_EXIT_FAIL;
            break;
        }
        if (k == 0)
            draw_svg(f, &p, trace, 1);
        else
            draw_html(f, &p, trace);
        if ((f == stdout ? fflush(f) : fclose(f)) != 0) {
            fprintf(stderr, "sockrr show: writing %s: %s\n", outs[k], strerror(errno));
            status = SRR_EXIT_FAIL;
        }
    }
    if (status < 0) {
        fprintf(stderr, "sockrr show: %s: out of memory\n", trace);
        status = SRR_EXIT_FAIL;
    }
    pic_free(&p, evs, nevs);
    srr__trace_close(r);
    return status;
}
