/* SPDX-License-Identifier: MIT */
/*
 * The rings of the network protocol (ferrous/net.h), for either side:
 * fe_net_ring_put, fe_net_ring_get (fe/ring.h).
 */
#ifndef FE_NET_RING_H
#define FE_NET_RING_H

#include <fe/ring.h>

#include <ferrous/net.h>

FE_RING_DEFINE(fe_net_ring, struct fe_net_entry, FE_NET_SLOTS)

#endif /* FE_NET_RING_H */
