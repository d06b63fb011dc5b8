/*
 * sim_tcp_info.c — what a sim TCP socket says of its connection:
 * getsockopt(TCP_INFO) and TCP_MAXSEG, as Linux answers them for a
 * connection over loopback (the sim's links have loopback's MTU).  Kept
 * apart because the kernel's struct tcp_info (linux/tcp.h, larger than
 * glibc's) cannot share a file with <netinet/tcp.h>.
 */
#include <errno.h>
#include <linux/tcp.h>
#include <string.h>

#include "sim.h"

#define SIM_MSS_LOOPBACK 32741  /* TCP_MAXSEG of an established loopback connection */
#define SIM_ADVMSS_LOOPBACK 65483
#define SIM_INFINITE_SSTHRESH 0x7fffffff

/* include/net/tcp_states.h, which no uapi header exports */
enum { TCP_ESTABLISHED = 1, TCP_SYN_SENT = 2, TCP_FIN_WAIT2 = 5, TCP_CLOSE = 7,
       TCP_CLOSE_WAIT = 8, TCP_LISTEN = 10 };

/* Linux's state of a sim socket. */
static int tcp_state(const sim_sock *k)
{
    switch (k->state) {
    case SIM_S_LISTEN: return TCP_LISTEN;
    case SIM_S_CONNECTING: return TCP_SYN_SENT;
    case SIM_S_CONNECTED:
        if (k->reset)
            return TCP_CLOSE;
        if (k->rx_eof && k->wr_shut) /* both FINs: the socket is done with */
            return TCP_CLOSE;
        if (k->rx_eof)
            return TCP_CLOSE_WAIT;
        if (k->wr_shut)
            return TCP_FIN_WAIT2; /* its FIN is acknowledged at once */
        return TCP_ESTABLISHED;
    default: return TCP_CLOSE;
    }
}

int srr__sim_tcp_info(const sim_sock *k, void *val, socklen_t *len)
{
    struct tcp_info ti;
    memset(&ti, 0, sizeof ti);
    int state = tcp_state(k);
    ti.tcpi_state = (uint8_t)state;
    ti.tcpi_reordering = 3; /* net.ipv4.tcp_reordering */
    ti.tcpi_snd_cwnd = 10;  /* TCP_INIT_CWND */
    if (state == TCP_LISTEN) {
        ti.tcpi_unacked = (uint32_t)k->npending; /* Linux's accept queue and its bound */
        ti.tcpi_sacked = (uint32_t)k->backlog;
    } else if (k->state == SIM_S_CONNECTED) {
        ti.tcpi_options = TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK | TCPI_OPT_WSCALE;
        ti.tcpi_snd_wscale = ti.tcpi_rcv_wscale = 10;
        ti.tcpi_rto = 200000; /* TCP_RTO_MIN, in us */
        ti.tcpi_snd_mss = k->opt.user_mss && k->opt.user_mss < SIM_MSS_LOOPBACK
                              ? (uint32_t)k->opt.user_mss
                              : SIM_MSS_LOOPBACK;
        ti.tcpi_rcv_mss = 536;
        ti.tcpi_pmtu = 65535;
        ti.tcpi_advmss = SIM_ADVMSS_LOOPBACK;
        ti.tcpi_rcv_space = SIM_ADVMSS_LOOPBACK + 12;
        ti.tcpi_snd_ssthresh = SIM_INFINITE_SSTHRESH;
        ti.tcpi_rcv_ssthresh = SIM_ADVMSS_LOOPBACK + 12;
        /* bytes move at once and are never lost: everything sent is
         * acknowledged, nothing waits unsent */
        ti.tcpi_bytes_sent = ti.tcpi_bytes_acked = (uint64_t)k->tx_bytes;
        ti.tcpi_bytes_received = (uint64_t)k->rx_bytes;
    } else {
        ti.tcpi_rto = 1000000; /* TCP_TIMEOUT_INIT */
        ti.tcpi_snd_mss = 536;
        ti.tcpi_snd_ssthresh = SIM_INFINITE_SSTHRESH;
    }
    socklen_t n = *len < sizeof ti ? *len : (socklen_t)sizeof ti;
    memcpy(val, &ti, n);
    *len = n;
    return 0;
}

int srr__sim_tcp_maxseg(const sim_sock *k)
{
    int mss = k->opt.user_mss;
    if (k->state == SIM_S_CONNECTED)
        return mss && mss < SIM_MSS_LOOPBACK ? mss : SIM_MSS_LOOPBACK;
    return mss ? mss : 536; /* TCP_MSS_DEFAULT, or what the program asked for */
}
