/* SPDX-License-Identifier: MIT */
#include "buddy.h"

#define ORDER_FRAMES(o) (1ULL << (o))

static uint64_t span_base(uint64_t lo_pfn)
{
	return lo_pfn & ~(ORDER_FRAMES(BUDDY_MAX_ORDER) - 1);
}

uint64_t buddy_meta_count(uint64_t lo_pfn, uint64_t hi_pfn)
{
	return hi_pfn > lo_pfn ? hi_pfn - span_base(lo_pfn) : 0;
}

bool buddy_contains(const struct buddy *b, uint64_t pfn)
{
	return pfn >= b->lo_pfn && pfn - b->base_pfn < b->nframes;
}

static void list_push(struct buddy *b, uint32_t idx, unsigned order)
{
	struct frame *f = &b->frames[idx];
	uint32_t head = b->free_head[order];

	f->state = FRAME_FREE;
	f->order = (uint8_t)order;
	f->prev = BUDDY_NONE;
	f->next = head;
	if (head != BUDDY_NONE)
		b->frames[head].prev = idx;
	b->free_head[order] = idx;
	b->free_blocks[order]++;
	b->free_frames += ORDER_FRAMES(order);
}

static void list_remove(struct buddy *b, uint32_t idx)
{
	struct frame *f = &b->frames[idx];
	unsigned order = f->order;

	if (f->prev != BUDDY_NONE)
		b->frames[f->prev].next = f->next;
	else
		b->free_head[order] = f->next;
	if (f->next != BUDDY_NONE)
		b->frames[f->next].prev = f->prev;
	f->next = f->prev = BUDDY_NONE;
	f->state = FRAME_TAIL;
	b->free_blocks[order]--;
	b->free_frames -= ORDER_FRAMES(order);
}

fe_status_t buddy_init(struct buddy *b, uint64_t lo_pfn, uint64_t hi_pfn, struct frame *meta)
{
	uint64_t n = buddy_meta_count(lo_pfn, hi_pfn);

	if (n == 0 || n >= BUDDY_NONE || meta == 0)
		return FE_ERR_INVALID_ARG;
	b->base_pfn = span_base(lo_pfn);
	b->nframes = n;
	b->lo_pfn = lo_pfn;
	b->frames = meta;
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++) {
		b->free_head[o] = BUDDY_NONE;
		b->free_blocks[o] = 0;
	}
	b->free_frames = 0;
	b->total_frames = 0;
	for (uint64_t i = 0; i < n; i++)
		meta[i] = (struct frame){ BUDDY_NONE, BUDDY_NONE, FRAME_RESERVED, 0, 0, 0 };
	return FE_OK;
}

/* Frees the block at idx of `order` and merges upward while the buddy is free. */
static void free_and_merge(struct buddy *b, uint32_t idx, unsigned order)
{
	while (order < BUDDY_MAX_ORDER) {
		uint64_t buddy = (uint64_t)idx ^ ORDER_FRAMES(order);
		if (buddy >= b->nframes)
			break;
		struct frame *bf = &b->frames[buddy];
		if (bf->state != FRAME_FREE || bf->order != order)
			break;
		list_remove(b, (uint32_t)buddy);
		b->frames[idx].state = FRAME_TAIL;
		idx = (uint32_t)(idx & ~ORDER_FRAMES(order));
		order++;
	}
	list_push(b, idx, order);
}

fe_status_t buddy_add_range(struct buddy *b, uint64_t pfn, uint64_t count)
{
	if (count == 0 || !buddy_contains(b, pfn) || count > b->nframes - (pfn - b->base_pfn))
		return FE_ERR_OUT_OF_RANGE;
	uint64_t first = pfn - b->base_pfn;
	for (uint64_t i = first; i < first + count; i++)
		if (b->frames[i].state != FRAME_RESERVED)
			return FE_ERR_BAD_STATE;

	/* Carve the range into the largest aligned blocks that fit. */
	for (uint64_t i = first; i < first + count;) {
		unsigned order = 0;
		while (order < BUDDY_MAX_ORDER && (i & ORDER_FRAMES(order)) == 0 &&
		       i + ORDER_FRAMES(order + 1) <= first + count)
			order++;
		for (uint64_t j = i; j < i + ORDER_FRAMES(order); j++)
			b->frames[j].state = FRAME_TAIL;
		free_and_merge(b, (uint32_t)i, order);
		i += ORDER_FRAMES(order);
	}
	b->total_frames += count;
	return FE_OK;
}

fe_status_t buddy_alloc(struct buddy *b, unsigned order, uint64_t *pfn)
{
	unsigned o = order;

	if (order > BUDDY_MAX_ORDER)
		return FE_ERR_NO_MEMORY;
	while (o <= BUDDY_MAX_ORDER && b->free_head[o] == BUDDY_NONE)
		o++;
	if (o > BUDDY_MAX_ORDER)
		return FE_ERR_NO_MEMORY;

	uint32_t idx = b->free_head[o];
	list_remove(b, idx);
	/* Split: hand the upper halves back until the block is the right size. */
	while (o > order) {
		o--;
		list_push(b, (uint32_t)(idx + ORDER_FRAMES(o)), o);
	}
	b->frames[idx].state = FRAME_USED;
	b->frames[idx].order = (uint8_t)order;
	*pfn = b->base_pfn + idx;
	return FE_OK;
}

fe_status_t buddy_free(struct buddy *b, uint64_t pfn, unsigned order)
{
	if (order > BUDDY_MAX_ORDER || !buddy_contains(b, pfn))
		return FE_ERR_INVALID_ARG;
	uint64_t idx = pfn - b->base_pfn;
	if ((idx & (ORDER_FRAMES(order) - 1)) != 0)
		return FE_ERR_INVALID_ARG;
	struct frame *f = &b->frames[idx];
	if (f->state != FRAME_USED || f->order != order)
		return FE_ERR_BAD_STATE;
	f->state = FRAME_TAIL;
	f->owner = 0;
	free_and_merge(b, (uint32_t)idx, order);
	return FE_OK;
}

/* Checks the free list of one order; adds the frames it holds to *frames. */
static fe_status_t check_list(const struct buddy *b, unsigned o, uint64_t *frames)
{
	uint64_t blocks = 0;
	uint32_t prev = BUDDY_NONE;

	for (uint32_t i = b->free_head[o]; i != BUDDY_NONE; i = b->frames[i].next) {
		const struct frame *f = &b->frames[i];
		if (i >= b->nframes || f->state != FRAME_FREE || f->order != o || f->prev != prev ||
		    (i & (ORDER_FRAMES(o) - 1)) != 0 || ++blocks > b->nframes)
			return FE_ERR_BAD_STATE;
		uint64_t buddy = (uint64_t)i ^ ORDER_FRAMES(o);
		if (o < BUDDY_MAX_ORDER && buddy < b->nframes &&
		    b->frames[buddy].state == FRAME_FREE && b->frames[buddy].order == o)
			return FE_ERR_BAD_STATE; /* should have merged */
		prev = i;
	}
	if (blocks != b->free_blocks[o])
		return FE_ERR_BAD_STATE;
	*frames += blocks * ORDER_FRAMES(o);
	return FE_OK;
}

fe_status_t buddy_check(const struct buddy *b)
{
	uint64_t listed = 0, heads = 0;

	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++)
		if (check_list(b, o, &listed) != FE_OK)
			return FE_ERR_BAD_STATE;
	for (uint64_t i = 0; i < b->nframes; i++)
		if (b->frames[i].state == FRAME_FREE)
			heads += ORDER_FRAMES(b->frames[i].order);
	if (listed != b->free_frames || heads != b->free_frames)
		return FE_ERR_BAD_STATE;
	return FE_OK;
}
