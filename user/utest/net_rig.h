/* SPDX-License-Identifier: MIT */
/*
 * What the network suites (suite_net.c, suite_net_odd.c) set up: utest
 * standing in for the supervisor, it finds a virtio network function,
 * makes its device capability and an endpoint, starts user/virtio-net with
 * them, and kills and restarts it.
 */
#ifndef UTEST_NET_RIG_H
#define UTEST_NET_RIG_H

#include <fe/net.h>
#include <fe/service.h>

#include "net_echo.h"
#include "ut.h"

#define NET_FUNCTIONS_MAX 4u

struct net_rig {
	fe_handle_t dev, ep, driver;
	struct fe_net client;
};

/* The virtio network functions (modern 1af4:1041 or transitional 1000), in
 * bus order, and the size of each one's MSI-X table (0: none); the number found. */
unsigned net_functions(uint32_t addr[NET_FUNCTIONS_MAX], uint32_t msix[NET_FUNCTIONS_MAX]);
/* A driver instance for r's device on r's endpoint (r->driver). */
fe_status_t net_start_driver(struct net_rig *r);
/* Function addr's capability, an endpoint and a driver serving it. */
bool net_rig_start(struct ut *t, struct net_rig *r, uint32_t addr);
/* net_rig_start on the first function with an MSI-X entry per queue and one
 * for the link (the case skipped without one). */
bool net_rig_driver(struct ut *t, struct net_rig *r);
/* net_rig_driver, and a client attached. */
bool net_rig_up(struct ut *t, struct net_rig *r);
void net_rig_down(struct ut *t, struct net_rig *r);
/*
 * The counts, for the log and for the host, once every frame queued has
 * been given back: `# net-count sent S lost L replies R` says that the
 * peer received at least S - L of these requests and at most S, and sent at
 * least R replies (tools/testrun.py, check_net_peer).
 */
void net_report(struct ut *t, const struct echo_tally *tl, struct fe_net *n);
/* Kills r's driver and starts a new instance on the same device and endpoint. */
void net_restart(struct ut *t, struct net_rig *r);
/* The same after a fault the driver does to itself on a crash request, as
 * the supervisor sends it (FE_SERVICE_CRASH through the supervisor's badge,
 * `flags` FE_SERVICE_CRASH_*): its end must be that fault (`vector`). */
void net_crash(struct ut *t, struct net_rig *r, enum fe_fault f, uint32_t flags, uint32_t vector);

#endif /* UTEST_NET_RIG_H */
