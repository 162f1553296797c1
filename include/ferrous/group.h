/* SPDX-License-Identifier: MIT */
/*
 * Resource groups (ADR 0012): a tree of kernel objects, each process in
 * exactly one, each group's limits within its parent's. The ABI of
 * FE_SYS_GROUP_CREATE, FE_SYS_GROUP_INFO and FE_SYS_GROUP_KILL.
 */
#ifndef FERROUS_GROUP_H
#define FERROUS_GROUP_H

#include <stdint.h>

/* Groups nest at most this deep below the root group. */
#define FE_GROUP_DEPTH_MAX 8u

/* What a group may hold. 0 in a count: no limit of its own (its ancestors'
 * still apply). Memory: bytes of everything charged inside (user pages
 * and kernel objects alike); 0 is refused. */
struct fe_group_limits {
	uint64_t memory;     /* <= the parent's */
	uint32_t processes;  /* live processes in it and its descendants */
	uint32_t threads;    /* live threads in it and its descendants */
};

/* fe_group_info.state: bits. */
enum fe_group_state {
	FE_GROUP_LIVE = 0,
	FE_GROUP_KILLED = 1, /* fe_group_kill: nothing new may start in it */
	FE_GROUP_FROZEN = 2, /* it or an ancestor is frozen: its threads stop before user mode */
};

/* A group's figures, for it and its descendants together. */
struct fe_group_info {
	uint64_t koid;
	uint64_t parent_koid;      /* 0 for the root group */
	struct fe_group_limits limits;
	uint32_t state;            /* enum fe_group_state bits */
	uint32_t depth;            /* 0 for the root group */
	uint64_t memory_used;      /* bytes charged now */
	uint64_t memory_peak;      /* the most ever charged at once */
	uint32_t processes;        /* live */
	uint32_t threads;          /* live */
	uint64_t processes_started;/* ever made in it */
	uint64_t refused;          /* creations refused by its limits */
	uint64_t syscalls;         /* made by its processes, ended ones included */
	uint64_t children;         /* groups directly below it */
	uint32_t threads_stopped;  /* live threads held by a freeze (of `threads`) */
	uint32_t reserved;
};

#endif /* FERROUS_GROUP_H */
