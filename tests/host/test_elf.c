/* SPDX-License-Identifier: MIT */
/*
 * Host tests of kernel/lib/elf.c. Every test builds a small synthetic ELF64
 * executable in memory (no dependency on the built kernel), breaks one thing
 * in it, and hands the parser an exact-size heap copy so ASan catches any
 * read past the end.
 *
 * Layout of the fixture image:
 *   0x0000 ELF header          0x0040 program headers (text, data, GNU_STACK)
 *   0x1000 text (R-X, 0x100)   0x2000 data (RW-, 0x10 in file, 0x1800 in memory)
 *   0x3000 .symtab             0x3100 .strtab    0x3200 .shstrtab
 *   0x3300 section headers (null, .symtab, .strtab, .shstrtab)
 */
#include "host_test.h"

#include "lib/elf.h"

#define IMG_SIZE 0x3400u
#define TEXT_OFF 0x1000u
#define DATA_OFF 0x2000u
#define SYM_OFF 0x3000u
#define STR_OFF 0x3100u
#define SHSTR_OFF 0x3200u
#define SH_OFF 0x3300u
#define TEXT_LEN 0x100u
#define DATA_FILESZ 0x10u
#define DATA_MEMSZ 0x1800u

#define USER_VA 0x400000ull
#define KERN_VA 0xffffffff80100000ull
#define USER_LO 0x1000ull
#define USER_HI 0x0000800000000000ull
#define KERN_LO 0xffffffff80000000ull
#define KERN_HI UINT64_MAX

#define PT_NOTE 4u
#define PT_GNU_STACK 0x6474e551u
#define SHT_PROGBITS 1u
#define SHT_STRTAB 3u
#define STT_OBJECT 1u

enum { PH_TEXT, PH_DATA, PH_STACK, NPHDRS };
enum { SH_NULL, SH_SYMTAB, SH_STRTAB, SH_SHSTRTAB, NSHDRS };
enum { SYM_NULL, SYM_START, SYM_MAIN, SYM_GAP, SYM_NOSIZE, SYM_DATA, NSYMS };

/* Symbol names in .strtab and their offsets. */
static const char strtab[] = "\0_start\0main\0gap_fn\0nosize\0data_var";
enum { STR_START = 1, STR_MAIN = 8, STR_GAP = 13, STR_NOSIZE = 20, STR_DATA = 27 };
static const char shstrtab[] = "\0.symtab\0.strtab\0.shstrtab";

struct fx {
	uint8_t b[IMG_SIZE];
	size_t size;
	uint64_t base; /* vaddr of the first page of the image */
};

static struct elf64_ehdr get_eh(const struct fx *f)
{
	struct elf64_ehdr e;
	memcpy(&e, f->b, sizeof(e));
	return e;
}

static void set_eh(struct fx *f, const struct elf64_ehdr *e)
{
	memcpy(f->b, e, sizeof(*e));
}

static struct elf64_phdr get_ph(const struct fx *f, unsigned i)
{
	struct elf64_phdr p;
	memcpy(&p, f->b + sizeof(struct elf64_ehdr) + i * sizeof(p), sizeof(p));
	return p;
}

static void set_ph(struct fx *f, unsigned i, const struct elf64_phdr *p)
{
	memcpy(f->b + sizeof(struct elf64_ehdr) + i * sizeof(*p), p, sizeof(*p));
}

static struct elf64_shdr get_sh(const struct fx *f, unsigned i)
{
	struct elf64_shdr s;
	memcpy(&s, f->b + SH_OFF + i * sizeof(s), sizeof(s));
	return s;
}

static void set_sh(struct fx *f, unsigned i, const struct elf64_shdr *s)
{
	memcpy(f->b + SH_OFF + i * sizeof(*s), s, sizeof(*s));
}

static struct elf64_sym get_sym(const struct fx *f, unsigned i)
{
	struct elf64_sym s;
	memcpy(&s, f->b + SYM_OFF + i * sizeof(s), sizeof(s));
	return s;
}

static void set_sym(struct fx *f, unsigned i, const struct elf64_sym *s)
{
	memcpy(f->b + SYM_OFF + i * sizeof(*s), s, sizeof(*s));
}

static void build_sections(struct fx *f)
{
	uint64_t t = f->base + TEXT_OFF;
	const struct elf64_sym syms[NSYMS] = {
		[SYM_START] = { STR_START, ELF_STT_FUNC, 0, 1, t, 0x20 },
		[SYM_MAIN] = { STR_MAIN, ELF_STT_FUNC, 0, 1, t + 0x20, 0x40 },
		[SYM_GAP] = { STR_GAP, ELF_STT_FUNC, 0, 1, t + 0x60, 0x10 },
		[SYM_NOSIZE] = { STR_NOSIZE, ELF_STT_FUNC, 0, 1, t + 0x80, 0 },
		[SYM_DATA] = { STR_DATA, STT_OBJECT, 0, 2, f->base + DATA_OFF, 8 },
	};
	const struct elf64_shdr sh[NSHDRS] = {
		[SH_SYMTAB] = { 1, ELF_SHT_SYMTAB, 0, 0, SYM_OFF, sizeof(syms), SH_STRTAB, 1, 8,
		                sizeof(struct elf64_sym) },
		[SH_STRTAB] = { 9, SHT_STRTAB, 0, 0, STR_OFF, sizeof(strtab), 0, 0, 1, 0 },
		[SH_SHSTRTAB] = { 17, SHT_STRTAB, 0, 0, SHSTR_OFF, sizeof(shstrtab), 0, 0, 1, 0 },
	};

	for (unsigned i = 0; i < NSYMS; i++)
		set_sym(f, i, &syms[i]);
	memcpy(f->b + STR_OFF, strtab, sizeof(strtab));
	memcpy(f->b + SHSTR_OFF, shstrtab, sizeof(shstrtab));
	for (unsigned i = 0; i < NSHDRS; i++)
		set_sh(f, i, &sh[i]);
}

/* A valid executable whose first page is at `base`, entry at the start of text. */
static void build(struct fx *f, uint64_t base)
{
	memset(f, 0, sizeof(*f));
	f->size = IMG_SIZE;
	f->base = base;
	struct elf64_ehdr e = {
		.ident = { 0x7f, 'E', 'L', 'F', 2, 1, 1 },
		.type = ELF_ET_EXEC,
		.machine = ELF_EM_X86_64,
		.version = 1,
		.entry = base + TEXT_OFF,
		.phoff = sizeof(struct elf64_ehdr),
		.shoff = SH_OFF,
		.ehsize = sizeof(struct elf64_ehdr),
		.phentsize = sizeof(struct elf64_phdr),
		.phnum = NPHDRS,
		.shentsize = sizeof(struct elf64_shdr),
		.shnum = NSHDRS,
		.shstrndx = SH_SHSTRTAB,
	};
	const struct elf64_phdr ph[NPHDRS] = {
		[PH_TEXT] = { ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, TEXT_OFF, base + TEXT_OFF,
		              base + TEXT_OFF, TEXT_LEN, TEXT_LEN, 0x1000 },
		[PH_DATA] = { ELF_PT_LOAD, ELF_PF_R | ELF_PF_W, DATA_OFF, base + DATA_OFF,
		              base + DATA_OFF, DATA_FILESZ, DATA_MEMSZ, 0x1000 },
		/* Not PT_LOAD: ignored, so its nonsense fields must not matter. */
		[PH_STACK] = { PT_GNU_STACK, ELF_PF_R | ELF_PF_W | ELF_PF_X, UINT64_MAX, UINT64_MAX,
		               0, UINT64_MAX, 1, 16 },
	};

	set_eh(f, &e);
	for (unsigned i = 0; i < NPHDRS; i++)
		set_ph(f, i, &ph[i]);
	memset(f->b + TEXT_OFF, 0xcc, TEXT_LEN);
	memset(f->b + DATA_OFF, 0x5a, DATA_FILESZ);
	build_sections(f);
}

/* elf_parse on an exact-size copy of f; the copy is kept in *copy for later calls. */
static fe_status_t parse(const struct fx *f, uint8_t **copy, struct elf_image *img)
{
	*copy = exact_copy(f->b, f->size);
	return elf_parse(*copy, f->size, img);
}

static fe_status_t parse_only(const struct fx *f)
{
	struct elf_image img;
	uint8_t *copy;
	fe_status_t st = parse(f, &copy, &img);

	free(copy);
	return st;
}

/* elf_parse (which must succeed) then elf_check_load against [lo, hi). */
static fe_status_t check(const struct fx *f, uint64_t lo, uint64_t hi, struct elf_load_span *span)
{
	struct elf_image img;
	struct elf_load_span s;
	uint8_t *copy;

	assert_status(parse(f, &copy, &img), FE_OK);
	fe_status_t st = elf_check_load(&img, lo, hi, span != NULL ? span : &s);
	free(copy);
	return st;
}

static fe_status_t check_user(const struct fx *f)
{
	return check(f, USER_LO, USER_HI, NULL);
}

/* elf_parse (which must succeed) then elf_find_symtab. */
static fe_status_t find_symtab(const struct fx *f)
{
	struct elf_image img;
	struct elf_symtab tab;
	uint8_t *copy;

	assert_status(parse(f, &copy, &img), FE_OK);
	fe_status_t st = elf_find_symtab(&img, &tab);
	free(copy);
	return st;
}

static void patch_ph(struct fx *f, unsigned i, void (*edit)(struct elf64_phdr *, uint64_t),
                     uint64_t arg)
{
	struct elf64_phdr p = get_ph(f, i);
	edit(&p, arg);
	set_ph(f, i, &p);
}

static void ph_set_vaddr(struct elf64_phdr *p, uint64_t v) { p->vaddr = v; }
static void ph_set_offset(struct elf64_phdr *p, uint64_t v) { p->offset = v; }
static void ph_set_filesz(struct elf64_phdr *p, uint64_t v) { p->filesz = v; }
static void ph_set_memsz(struct elf64_phdr *p, uint64_t v) { p->memsz = v; }
static void ph_set_flags(struct elf64_phdr *p, uint64_t v) { p->flags = (uint32_t)v; }
static void ph_set_type(struct elf64_phdr *p, uint64_t v) { p->type = (uint32_t)v; }

/* ---- elf_parse ---- */

static void test_parse_good(void **state)
{
	(void)state;
	struct fx f;
	struct elf_image img;
	uint8_t *copy;

	build(&f, USER_VA);
	assert_status(parse(&f, &copy, &img), FE_OK);
	assert_ptr_equal(img.data, copy);
	assert_int_equal(img.size, IMG_SIZE);
	assert_int_equal(img.eh.entry, USER_VA + TEXT_OFF);
	assert_int_equal(img.eh.phnum, NPHDRS);

	struct elf64_phdr ph;
	assert_status(elf_phdr(&img, PH_DATA, &ph), FE_OK);
	assert_int_equal(ph.vaddr, USER_VA + DATA_OFF);
	assert_int_equal(ph.memsz, DATA_MEMSZ);
	assert_status(elf_phdr(&img, NPHDRS, &ph), FE_ERR_OUT_OF_RANGE);
	assert_status(elf_phdr(&img, ~0u, &ph), FE_ERR_OUT_OF_RANGE);
	free(copy);
}

static void test_parse_null_args(void **state)
{
	(void)state;
	struct fx f;
	struct elf_image img;

	build(&f, USER_VA);
	assert_status(elf_parse(NULL, IMG_SIZE, &img), FE_ERR_INVALID_ARG);
	assert_status(elf_parse(f.b, IMG_SIZE, NULL), FE_ERR_INVALID_ARG);
}

static void test_parse_too_short(void **state)
{
	(void)state;
	struct fx f;

	build(&f, USER_VA);
	f.size = sizeof(struct elf64_ehdr) - 1;
	assert_status(parse_only(&f), FE_ERR_OUT_OF_RANGE);
	f.size = 0;
	assert_status(parse_only(&f), FE_ERR_OUT_OF_RANGE);
	/* A whole header but no room for the program headers it announces. */
	f.size = sizeof(struct elf64_ehdr);
	assert_status(parse_only(&f), FE_ERR_OUT_OF_RANGE);
}

/* Each ident byte that must have one value, set to something else. */
static void test_parse_bad_ident(void **state)
{
	(void)state;
	static const struct { unsigned idx; uint8_t val; } bad[] = {
		{ 0, 0x7e }, { 1, 'e' }, { 2, 'l' }, { 3, 'f' }, /* magic */
		{ 4, 1 },   /* ELFCLASS32 */
		{ 4, 0 },
		{ 5, 2 },   /* ELFDATA2MSB: big-endian */
		{ 5, 0 },
		{ 6, 0 },   /* EV_NONE */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fx f;
		build(&f, USER_VA);
		f.b[bad[i].idx] = bad[i].val;
		assert_status(parse_only(&f), FE_ERR_BAD_FORMAT);
	}
}

static void test_parse_bad_type_machine_version(void **state)
{
	(void)state;
	struct fx f;
	struct elf64_ehdr e;

	build(&f, USER_VA);
	e = get_eh(&f);
	e.machine = 3; /* EM_386 */
	set_eh(&f, &e);
	assert_status(parse_only(&f), FE_ERR_BAD_FORMAT);

	build(&f, USER_VA);
	e = get_eh(&f);
	e.type = 3; /* ET_DYN */
	set_eh(&f, &e);
	assert_status(parse_only(&f), FE_ERR_BAD_FORMAT);

	e.type = 1; /* ET_REL */
	set_eh(&f, &e);
	assert_status(parse_only(&f), FE_ERR_BAD_FORMAT);

	build(&f, USER_VA);
	e = get_eh(&f);
	e.version = 2;
	set_eh(&f, &e);
	assert_status(parse_only(&f), FE_ERR_BAD_FORMAT);
}

static void test_parse_bad_header_sizes(void **state)
{
	(void)state;
	struct fx f;
	struct elf64_ehdr e;

	build(&f, USER_VA);
	e = get_eh(&f);
	e.ehsize = sizeof(e) - 1;
	set_eh(&f, &e);
	assert_status(parse_only(&f), FE_ERR_BAD_FORMAT);

	build(&f, USER_VA);
	e = get_eh(&f);
	e.phentsize = sizeof(struct elf64_phdr) + 8;
	set_eh(&f, &e);
	assert_status(parse_only(&f), FE_ERR_BAD_FORMAT);

	build(&f, USER_VA);
	e = get_eh(&f);
	e.shentsize = 40; /* ELF32 section header size */
	set_eh(&f, &e);
	assert_status(parse_only(&f), FE_ERR_BAD_FORMAT);

	build(&f, USER_VA);
	e = get_eh(&f);
	e.shstrndx = NSHDRS;
	set_eh(&f, &e);
	assert_status(parse_only(&f), FE_ERR_BAD_FORMAT);
}

static void test_parse_phnum(void **state)
{
	(void)state;
	struct fx f;
	struct elf64_ehdr e;

	build(&f, USER_VA);
	e = get_eh(&f);
	e.phnum = 0;
	set_eh(&f, &e);
	assert_status(parse_only(&f), FE_ERR_BAD_FORMAT);

	e.phnum = ELF_MAX_PHDRS + 1;
	set_eh(&f, &e);
	assert_status(parse_only(&f), FE_ERR_BAD_FORMAT);

	e.phnum = 0xffff; /* PN_XNUM: extended numbering is not supported */
	set_eh(&f, &e);
	assert_status(parse_only(&f), FE_ERR_BAD_FORMAT);

	/* The limit itself is fine: the extra entries are PT_NULL (zeroed) and fit before text. */
	e.phnum = ELF_MAX_PHDRS;
	set_eh(&f, &e);
	assert_status(parse_only(&f), FE_OK);
	assert_status(check_user(&f), FE_OK);
}

static void test_parse_phdrs_past_end(void **state)
{
	(void)state;
	struct fx f;
	struct elf64_ehdr e;

	build(&f, USER_VA);
	e = get_eh(&f);
	e.phoff = IMG_SIZE - NPHDRS * sizeof(struct elf64_phdr) + 1;
	set_eh(&f, &e);
	assert_status(parse_only(&f), FE_ERR_OUT_OF_RANGE);

	/* Exactly at the end is fine (the table's contents are then garbage, but in range). */
	e.phoff = IMG_SIZE - NPHDRS * sizeof(struct elf64_phdr);
	set_eh(&f, &e);
	assert_status(parse_only(&f), FE_OK);

	e.phoff = UINT64_MAX - 8; /* phoff + table size wraps */
	set_eh(&f, &e);
	assert_status(parse_only(&f), FE_ERR_OUT_OF_RANGE);

	e.phoff = IMG_SIZE + 1;
	set_eh(&f, &e);
	assert_status(parse_only(&f), FE_ERR_OUT_OF_RANGE);
}

static void test_parse_shdrs_past_end(void **state)
{
	(void)state;
	struct fx f;
	struct elf64_ehdr e;

	build(&f, USER_VA);
	e = get_eh(&f);
	e.shoff = IMG_SIZE - NSHDRS * sizeof(struct elf64_shdr) + 1;
	set_eh(&f, &e);
	assert_status(parse_only(&f), FE_ERR_OUT_OF_RANGE);

	e.shoff = UINT64_MAX - 63;
	set_eh(&f, &e);
	assert_status(parse_only(&f), FE_ERR_OUT_OF_RANGE);
}

static void test_parse_error_leaves_out_unchanged(void **state)
{
	(void)state;
	struct fx f;
	struct elf_image img, before;
	uint8_t *copy;

	memset(&img, 0xa5, sizeof(img));
	before = img;
	build(&f, USER_VA);
	f.b[0] = 0;
	assert_status(parse(&f, &copy, &img), FE_ERR_BAD_FORMAT);
	assert_memory_equal(&img, &before, sizeof(img));
	free(copy);
}

/* ---- elf_check_load ---- */

static void test_load_good_user(void **state)
{
	(void)state;
	struct fx f;
	struct elf_load_span span;

	build(&f, USER_VA);
	assert_status(check(&f, USER_LO, USER_HI, &span), FE_OK);
	assert_int_equal(span.lo, USER_VA + TEXT_OFF);
	/* data ends at 0x403800: rounded up to the page. */
	assert_int_equal(span.hi, USER_VA + DATA_OFF + 0x2000);
}

static void test_load_good_kernel(void **state)
{
	(void)state;
	struct fx f;
	struct elf_load_span span;

	build(&f, KERN_VA);
	assert_status(check(&f, KERN_LO, KERN_HI, &span), FE_OK);
	assert_int_equal(span.lo, KERN_VA + TEXT_OFF);
	assert_int_equal(span.hi, KERN_VA + DATA_OFF + 0x2000);
	/* A higher-half image is not a user program, and the reverse. */
	assert_status(check(&f, USER_LO, USER_HI, NULL), FE_ERR_OUT_OF_RANGE);
	build(&f, USER_VA);
	assert_status(check(&f, KERN_LO, KERN_HI, NULL), FE_ERR_OUT_OF_RANGE);
}

static void test_load_bad_limits(void **state)
{
	(void)state;
	struct fx f;

	build(&f, USER_VA);
	assert_status(check(&f, USER_HI, USER_LO, NULL), FE_ERR_INVALID_ARG);
	assert_status(check(&f, USER_LO, USER_LO, NULL), FE_ERR_INVALID_ARG);
}

static void test_load_filesz_gt_memsz(void **state)
{
	(void)state;
	struct fx f;

	build(&f, USER_VA);
	patch_ph(&f, PH_DATA, ph_set_filesz, DATA_MEMSZ + 1);
	assert_status(check_user(&f), FE_ERR_BAD_FORMAT);
}

static void test_load_segment_past_file_end(void **state)
{
	(void)state;
	struct fx f;

	build(&f, USER_VA);
	/* File bytes end one past the buffer; memsz is large enough not to trip filesz > memsz. */
	patch_ph(&f, PH_DATA, ph_set_filesz, IMG_SIZE - DATA_OFF + 1);
	assert_status(check_user(&f), FE_ERR_OUT_OF_RANGE);

	/* Up to the last byte is fine. */
	build(&f, USER_VA);
	patch_ph(&f, PH_DATA, ph_set_filesz, IMG_SIZE - DATA_OFF);
	assert_status(check_user(&f), FE_OK);

	/* offset + filesz wraps (offset stays congruent with vaddr). */
	build(&f, USER_VA);
	patch_ph(&f, PH_DATA, ph_set_offset, 0xfffffffffffff000ull);
	assert_status(check_user(&f), FE_ERR_OUT_OF_RANGE);
}

static void test_load_vaddr_wraps(void **state)
{
	(void)state;
	struct fx f;

	/* vaddr + memsz wraps past 2^64: must not look like a small, in-range end. */
	build(&f, KERN_VA);
	patch_ph(&f, PH_DATA, ph_set_vaddr, 0xfffffffffffff000ull);
	patch_ph(&f, PH_DATA, ph_set_memsz, 0x2000);
	assert_status(check(&f, KERN_LO, KERN_HI, NULL), FE_ERR_OUT_OF_RANGE);
	assert_status(check(&f, 0, UINT64_MAX, NULL), FE_ERR_OUT_OF_RANGE);

	build(&f, USER_VA);
	patch_ph(&f, PH_DATA, ph_set_memsz, UINT64_MAX);
	assert_status(check(&f, 0, UINT64_MAX, NULL), FE_ERR_OUT_OF_RANGE);
}

static void test_load_top_page(void **state)
{
	(void)state;
	struct fx f;

	/* Inside the limits, but its page-rounded end would be 2^64: rejected on purpose. */
	build(&f, KERN_VA);
	patch_ph(&f, PH_DATA, ph_set_vaddr, 0xfffffffffffff000ull);
	patch_ph(&f, PH_DATA, ph_set_memsz, 0x10);
	assert_status(check(&f, KERN_LO, KERN_HI, NULL), FE_ERR_OUT_OF_RANGE);
}

static void test_load_outside_limits(void **state)
{
	(void)state;
	struct fx f;

	build(&f, USER_VA);
	/* Below the lower limit. */
	assert_status(check(&f, USER_VA + TEXT_OFF + 1, USER_HI, NULL), FE_ERR_OUT_OF_RANGE);
	/* Exactly at the lower limit is fine. */
	assert_status(check(&f, USER_VA + TEXT_OFF, USER_HI, NULL), FE_OK);
	/* The data segment ends at 0x403800: hi is exclusive. */
	assert_status(check(&f, USER_LO, USER_VA + DATA_OFF + DATA_MEMSZ, NULL), FE_OK);
	assert_status(check(&f, USER_LO, USER_VA + DATA_OFF + DATA_MEMSZ - 1, NULL),
	              FE_ERR_OUT_OF_RANGE);
	/* Starts at the (exclusive) upper limit. */
	assert_status(check(&f, USER_LO, USER_VA + DATA_OFF, NULL), FE_ERR_OUT_OF_RANGE);

	/* Straddles the top of the user half. */
	patch_ph(&f, PH_DATA, ph_set_vaddr, USER_HI - 0x1000);
	patch_ph(&f, PH_DATA, ph_set_offset, DATA_OFF);
	assert_status(check_user(&f), FE_ERR_OUT_OF_RANGE);
}

static void test_load_memsz_zero(void **state)
{
	(void)state;
	struct fx f;

	build(&f, USER_VA);
	patch_ph(&f, PH_DATA, ph_set_filesz, 0);
	patch_ph(&f, PH_DATA, ph_set_memsz, 0);
	assert_status(check_user(&f), FE_ERR_OUT_OF_RANGE);
}

static void test_load_offset_not_congruent(void **state)
{
	(void)state;
	struct fx f;

	build(&f, USER_VA);
	patch_ph(&f, PH_DATA, ph_set_offset, DATA_OFF + 8);
	assert_status(check_user(&f), FE_ERR_BAD_FORMAT);
}

static void test_load_overlap(void **state)
{
	(void)state;
	struct fx f;

	/* Data moved into the text page (offset moved with it, so only the overlap is wrong). */
	build(&f, USER_VA);
	patch_ph(&f, PH_DATA, ph_set_vaddr, USER_VA + TEXT_OFF + 0x800);
	patch_ph(&f, PH_DATA, ph_set_offset, DATA_OFF + 0x800);
	patch_ph(&f, PH_DATA, ph_set_filesz, 0x10);
	patch_ph(&f, PH_DATA, ph_set_memsz, 0x10);
	assert_status(check_user(&f), FE_ERR_BAD_FORMAT);

	/* Text's memory running one byte into data's page. */
	build(&f, USER_VA);
	patch_ph(&f, PH_TEXT, ph_set_memsz, 0x1001);
	assert_status(check_user(&f), FE_ERR_BAD_FORMAT);

	/* Two copies of the same segment. */
	build(&f, USER_VA);
	struct elf64_phdr text = get_ph(&f, PH_TEXT);
	set_ph(&f, PH_STACK, &text);
	assert_status(check_user(&f), FE_ERR_BAD_FORMAT);
}

static void test_load_write_and_execute(void **state)
{
	(void)state;
	struct fx f;

	build(&f, USER_VA);
	patch_ph(&f, PH_TEXT, ph_set_flags, ELF_PF_R | ELF_PF_W | ELF_PF_X);
	assert_status(check_user(&f), FE_ERR_BAD_FORMAT);

	build(&f, USER_VA);
	patch_ph(&f, PH_DATA, ph_set_flags, ELF_PF_W | ELF_PF_X);
	assert_status(check_user(&f), FE_ERR_BAD_FORMAT);
}

static void test_load_entry(void **state)
{
	(void)state;
	struct fx f;
	struct elf64_ehdr e;

	build(&f, USER_VA);
	e = get_eh(&f);
	e.entry = USER_VA + TEXT_OFF + TEXT_LEN - 1; /* last byte of text */
	set_eh(&f, &e);
	assert_status(check_user(&f), FE_OK);

	e.entry = USER_VA + TEXT_OFF + TEXT_LEN; /* one past */
	set_eh(&f, &e);
	assert_status(check_user(&f), FE_ERR_BAD_FORMAT);

	e.entry = USER_VA + DATA_OFF; /* in a segment, but not an executable one */
	set_eh(&f, &e);
	assert_status(check_user(&f), FE_ERR_BAD_FORMAT);

	e.entry = 0;
	set_eh(&f, &e);
	assert_status(check_user(&f), FE_ERR_BAD_FORMAT);

	/* No executable segment at all. */
	build(&f, USER_VA);
	patch_ph(&f, PH_TEXT, ph_set_flags, ELF_PF_R);
	assert_status(check_user(&f), FE_ERR_BAD_FORMAT);
}

static void test_load_no_load_segments(void **state)
{
	(void)state;
	struct fx f;

	build(&f, USER_VA);
	patch_ph(&f, PH_TEXT, ph_set_type, PT_NOTE);
	patch_ph(&f, PH_DATA, ph_set_type, PT_NOTE);
	assert_status(check_user(&f), FE_ERR_BAD_FORMAT);
}

/* ---- elf_find_symtab ---- */

static void test_symtab_good(void **state)
{
	(void)state;
	struct fx f;
	struct elf_image img;
	struct elf_symtab tab;
	uint8_t *copy;

	build(&f, USER_VA);
	assert_status(parse(&f, &copy, &img), FE_OK);
	assert_status(elf_find_symtab(&img, &tab), FE_OK);
	assert_ptr_equal(tab.img, &img);
	assert_int_equal(tab.sym_off, SYM_OFF);
	assert_int_equal(tab.sym_count, NSYMS);
	assert_int_equal(tab.str_off, STR_OFF);
	assert_int_equal(tab.str_size, sizeof(strtab));
	free(copy);
}

static void test_symtab_stripped(void **state)
{
	(void)state;
	struct fx f;
	struct elf64_ehdr e;

	/* No section table at all. */
	build(&f, USER_VA);
	e = get_eh(&f);
	e.shnum = 0;
	e.shoff = 0;
	e.shstrndx = 0;
	set_eh(&f, &e);
	assert_status(find_symtab(&f), FE_ERR_NOT_FOUND);

	/* Sections, but no SHT_SYMTAB among them. */
	build(&f, USER_VA);
	struct elf64_shdr sh = get_sh(&f, SH_SYMTAB);
	sh.type = SHT_PROGBITS;
	set_sh(&f, SH_SYMTAB, &sh);
	assert_status(find_symtab(&f), FE_ERR_NOT_FOUND);
}

static void test_symtab_malformed(void **state)
{
	(void)state;
	struct fx f;
	struct elf64_shdr sh;

	build(&f, USER_VA);
	sh = get_sh(&f, SH_SYMTAB);
	sh.entsize = 16;
	set_sh(&f, SH_SYMTAB, &sh);
	assert_status(find_symtab(&f), FE_ERR_BAD_FORMAT);

	build(&f, USER_VA);
	sh = get_sh(&f, SH_SYMTAB);
	sh.size = NSYMS * sizeof(struct elf64_sym) - 1;
	set_sh(&f, SH_SYMTAB, &sh);
	assert_status(find_symtab(&f), FE_ERR_BAD_FORMAT);

	build(&f, USER_VA);
	sh = get_sh(&f, SH_SYMTAB);
	sh.offset = IMG_SIZE - sizeof(struct elf64_sym);
	set_sh(&f, SH_SYMTAB, &sh);
	assert_status(find_symtab(&f), FE_ERR_OUT_OF_RANGE);

	build(&f, USER_VA);
	sh = get_sh(&f, SH_SYMTAB);
	sh.size = (UINT64_MAX / sizeof(struct elf64_sym)) * sizeof(struct elf64_sym); /* wraps */
	set_sh(&f, SH_SYMTAB, &sh);
	assert_status(find_symtab(&f), FE_ERR_OUT_OF_RANGE);

	build(&f, USER_VA);
	sh = get_sh(&f, SH_SYMTAB);
	sh.link = NSHDRS; /* no such section */
	set_sh(&f, SH_SYMTAB, &sh);
	assert_status(find_symtab(&f), FE_ERR_BAD_FORMAT);

	build(&f, USER_VA);
	sh = get_sh(&f, SH_STRTAB);
	sh.offset = IMG_SIZE;
	sh.size = 1;
	set_sh(&f, SH_STRTAB, &sh);
	assert_status(find_symtab(&f), FE_ERR_OUT_OF_RANGE);

	build(&f, USER_VA);
	sh = get_sh(&f, SH_STRTAB);
	sh.size = UINT64_MAX;
	set_sh(&f, SH_STRTAB, &sh);
	assert_status(find_symtab(&f), FE_ERR_OUT_OF_RANGE);
}

/* ---- elf_symbolize / elf_symbol_value ---- */

struct symfx {
	struct fx f;
	uint8_t *copy;
	struct elf_image img;
	struct elf_symtab tab;
};

static int sym_setup(void **state)
{
	struct symfx *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -1;
	build(&s->f, USER_VA);
	*state = s;
	return 0;
}

static int sym_teardown(void **state)
{
	struct symfx *s = *state;

	free(s->copy);
	free(s);
	return 0;
}

/* Parses the (possibly edited) fixture and finds its symbol table. */
static struct elf_symtab *sym_load(struct symfx *s)
{
	free(s->copy);
	assert_status(parse(&s->f, &s->copy, &s->img), FE_OK);
	assert_status(elf_find_symtab(&s->img, &s->tab), FE_OK);
	return &s->tab;
}

static void expect_sym(const struct elf_symtab *tab, uint64_t addr, const char *name, uint64_t off)
{
	char buf[32];
	uint64_t got_off = ~0ull;

	assert_status(elf_symbolize(tab, addr, buf, sizeof(buf), &got_off), FE_OK);
	assert_string_equal(buf, name);
	assert_int_equal(got_off, off);
}

static void expect_no_sym(const struct elf_symtab *tab, uint64_t addr)
{
	char buf[32];
	uint64_t off;

	assert_status(elf_symbolize(tab, addr, buf, sizeof(buf), &off), FE_ERR_NOT_FOUND);
}

static void test_symbolize(void **state)
{
	const struct elf_symtab *tab = sym_load(*state);
	const uint64_t t = USER_VA + TEXT_OFF;

	expect_sym(tab, t, "_start", 0);
	expect_sym(tab, t + 0x1f, "_start", 0x1f);
	expect_sym(tab, t + 0x20, "main", 0);
	expect_sym(tab, t + 0x5f, "main", 0x3f);
	expect_sym(tab, t + 0x60, "gap_fn", 0);
	/* A size-0 function covers everything above it. */
	expect_sym(tab, t + 0x80, "nosize", 0);
	expect_sym(tab, t + 0x1000, "nosize", 0xf80);
	expect_sym(tab, UINT64_MAX, "nosize", UINT64_MAX - (t + 0x80));
}

static void test_symbolize_misses(void **state)
{
	const struct elf_symtab *tab = sym_load(*state);
	const uint64_t t = USER_VA + TEXT_OFF;

	expect_no_sym(tab, t - 1);  /* below every function */
	expect_no_sym(tab, 0);
	expect_no_sym(tab, t + 0x70); /* past gap_fn's end, before nosize */
	expect_no_sym(tab, t + 0x7f);
}

static void test_symbolize_ignores_objects(void **state)
{
	struct symfx *s = *state;
	/* Give nosize a size, so that only the object data_var lies at the data address. */
	struct elf64_sym sym = get_sym(&s->f, SYM_NOSIZE);
	sym.size = 1;
	set_sym(&s->f, SYM_NOSIZE, &sym);
	const struct elf_symtab *tab = sym_load(s);

	expect_no_sym(tab, USER_VA + DATA_OFF);
}

static void test_symbolize_name_buffer(void **state)
{
	const struct elf_symtab *tab = sym_load(*state);
	char buf[8];
	uint64_t off;

	memset(buf, 'x', sizeof(buf));
	assert_status(elf_symbolize(tab, USER_VA + TEXT_OFF + 0x21, buf, 4, &off), FE_OK);
	assert_string_equal(buf, "mai");
	assert_int_equal(buf[4], 'x'); /* nothing written past name_max */
	assert_int_equal(off, 1);

	assert_status(elf_symbolize(tab, USER_VA + TEXT_OFF, buf, 1, &off), FE_OK);
	assert_string_equal(buf, "");

	assert_status(elf_symbolize(tab, USER_VA + TEXT_OFF, buf, 0, &off), FE_ERR_NOT_FOUND);
}

static void test_symbolize_bad_name(void **state)
{
	struct symfx *s = *state;
	struct elf64_sym sym;

	/* Name offset past the string table. */
	sym = get_sym(&s->f, SYM_MAIN);
	sym.name = 0x10000;
	set_sym(&s->f, SYM_MAIN, &sym);
	/* Name running to the end of the string table without a NUL. */
	struct elf64_shdr sh = get_sh(&s->f, SH_STRTAB);
	sh.size = STR_NOSIZE + 3; /* "nos", unterminated */
	set_sh(&s->f, SH_STRTAB, &sh);
	const struct elf_symtab *tab = sym_load(s);
	uint64_t v;

	expect_no_sym(tab, USER_VA + TEXT_OFF + 0x20);
	expect_no_sym(tab, USER_VA + TEXT_OFF + 0x80);
	expect_sym(tab, USER_VA + TEXT_OFF, "_start", 0);
	assert_status(elf_symbol_value(tab, "main", &v), FE_ERR_NOT_FOUND);
	assert_status(elf_symbol_value(tab, "nos", &v), FE_ERR_NOT_FOUND);
	assert_status(elf_symbol_value(tab, "nosize", &v), FE_ERR_NOT_FOUND);
}

static void test_symbol_value(void **state)
{
	const struct elf_symtab *tab = sym_load(*state);
	uint64_t v = 0;

	assert_status(elf_symbol_value(tab, "main", &v), FE_OK);
	assert_int_equal(v, USER_VA + TEXT_OFF + 0x20);
	assert_status(elf_symbol_value(tab, "_start", &v), FE_OK);
	assert_int_equal(v, USER_VA + TEXT_OFF);
	assert_status(elf_symbol_value(tab, "data_var", &v), FE_OK); /* any type */
	assert_int_equal(v, USER_VA + DATA_OFF);

	v = 42;
	assert_status(elf_symbol_value(tab, "mai", &v), FE_ERR_NOT_FOUND);   /* a prefix */
	assert_status(elf_symbol_value(tab, "main2", &v), FE_ERR_NOT_FOUND); /* an extension */
	assert_status(elf_symbol_value(tab, "missing", &v), FE_ERR_NOT_FOUND);
	/* The null symbol (and any section symbol) has an empty name: not a match for "". */
	assert_status(elf_symbol_value(tab, "", &v), FE_ERR_NOT_FOUND);
	assert_int_equal(v, 42);
}

static void test_no_symbols(void **state)
{
	struct symfx *s = *state;
	struct elf64_shdr sh = get_sh(&s->f, SH_SYMTAB);

	sh.size = 0;
	set_sh(&s->f, SH_SYMTAB, &sh);
	const struct elf_symtab *tab = sym_load(s);
	uint64_t v;

	assert_int_equal(tab->sym_count, 0);
	expect_no_sym(tab, USER_VA + TEXT_OFF);
	assert_status(elf_symbol_value(tab, "main", &v), FE_ERR_NOT_FOUND);
}

/* The Ferrous ABI note, written at NOTE_OFF (outside every PT_LOAD) and described by PH_STACK. */
#define NOTE_OFF (TEXT_OFF + TEXT_LEN)
static void add_note(struct fx *f, uint32_t type, uint32_t version)
{
	const uint32_t words[3] = { 8, 4, type };
	const struct elf64_phdr ph = { PT_NOTE, ELF_PF_R, NOTE_OFF, 0, 0, 24, 24, 4 };

	memcpy(f->b + NOTE_OFF, words, sizeof(words));
	memcpy(f->b + NOTE_OFF + 12, "Ferrous", 8);
	memcpy(f->b + NOTE_OFF + 20, &version, 4);
	set_ph(f, PH_STACK, &ph);
}

/* elf_check_program on an exact-size copy of the first `size` bytes of f. */
static fe_status_t check_program(const struct fx *f, size_t size, const char **why)
{
	struct elf_image img;
	uint8_t *copy = exact_copy(f->b, size);
	fe_status_t st = elf_check_program(copy, size, USER_LO, USER_HI, &img, why);

	free(copy);
	return st;
}

static void expect_refused(const struct fx *f, size_t size, const char *says)
{
	const char *why = NULL;
	fe_status_t st = check_program(f, size, &why);

	assert_true(st == FE_ERR_BAD_FORMAT || st == FE_ERR_OUT_OF_RANGE);
	assert_non_null(why);
	if (strstr(why, says) == NULL)
		fail_msg("why = \"%s\", want it to say \"%s\"", why, says);
}

static void test_program_good(void **state)
{
	(void)state;
	struct fx f;
	const char *why = "unset";

	build(&f, USER_VA);
	add_note(&f, FE_ELF_NOTE_ABI, FE_ELF_ABI_VERSION);
	assert_status(check_program(&f, f.size, &why), FE_OK);
	assert_null(why);
}

/* A Linux static binary: the same ELF shape, but no Ferrous note, or the GNU OS ABI. */
static void test_program_linux_refused(void **state)
{
	(void)state;
	struct fx f;

	build(&f, USER_VA);
	expect_refused(&f, f.size, "no Ferrous ABI note");
	add_note(&f, FE_ELF_NOTE_ABI, FE_ELF_ABI_VERSION);
	f.b[7] = ELF_OSABI_GNU;
	expect_refused(&f, f.size, "a Linux program");
	f.b[7] = 9; /* FreeBSD */
	expect_refused(&f, f.size, "another operating system");

	build(&f, USER_VA);
	add_note(&f, FE_ELF_NOTE_ABI, FE_ELF_ABI_VERSION + 1);
	expect_refused(&f, f.size, "another Ferrous ABI version");
	build(&f, USER_VA);
	add_note(&f, 2, FE_ELF_ABI_VERSION); /* right name, wrong type */
	expect_refused(&f, f.size, "no Ferrous ABI note");
	build(&f, USER_VA);
	add_note(&f, FE_ELF_NOTE_ABI, FE_ELF_ABI_VERSION);
	f.b[NOTE_OFF + 12] = 'f'; /* "ferrous" */
	expect_refused(&f, f.size, "no Ferrous ABI note");
}

/* Notes whose sizes run past their segment, or a segment past the file: no note, no read beyond. */
static void test_program_bad_notes(void **state)
{
	(void)state;
	struct fx f;

	build(&f, USER_VA);
	add_note(&f, FE_ELF_NOTE_ABI, FE_ELF_ABI_VERSION);
	memcpy(f.b + NOTE_OFF, &(uint32_t){ 0xfffffff0u }, 4); /* namesz */
	expect_refused(&f, f.size, "no Ferrous ABI note");
	build(&f, USER_VA);
	add_note(&f, FE_ELF_NOTE_ABI, FE_ELF_ABI_VERSION);
	memcpy(f.b + NOTE_OFF + 4, &(uint32_t){ 0xffffffffu }, 4); /* descsz */
	expect_refused(&f, f.size, "no Ferrous ABI note");
	build(&f, USER_VA);
	add_note(&f, FE_ELF_NOTE_ABI, FE_ELF_ABI_VERSION);
	patch_ph(&f, PH_STACK, ph_set_filesz, 20); /* cuts the descriptor */
	expect_refused(&f, f.size, "no Ferrous ABI note");
	build(&f, USER_VA);
	add_note(&f, FE_ELF_NOTE_ABI, FE_ELF_ABI_VERSION);
	patch_ph(&f, PH_STACK, ph_set_offset, IMG_SIZE - 8); /* the segment runs past the file */
	expect_refused(&f, f.size, "no Ferrous ABI note");
}

/* Files that are not ELF executables at all are named for what they are. */
static void test_program_not_elf(void **state)
{
	(void)state;
	struct fx f;

	memset(&f, 0, sizeof(f));
	expect_refused(&f, 0, "an empty file");
	memcpy(f.b, "#!/bin/sh\necho hi\n", 18);
	expect_refused(&f, 18, "a script");
	memcpy(f.b, "hello is not a program\n", 23);
	expect_refused(&f, 23, "a text file");
	memcpy(f.b, "\x01\x02\x03\x04", 4);
	expect_refused(&f, 4, "not an ELF file");
	memcpy(f.b, "\x7f" "ELF", 4);
	expect_refused(&f, 4, "truncated");

	build(&f, USER_VA);
	add_note(&f, FE_ELF_NOTE_ABI, FE_ELF_ABI_VERSION);
	f.b[4] = 1; /* ELFCLASS32 */
	expect_refused(&f, f.size, "32-bit");
	build(&f, USER_VA);
	struct elf64_ehdr e = get_eh(&f);
	e.type = ELF_ET_DYN;
	set_eh(&f, &e);
	expect_refused(&f, f.size, "ET_DYN");
	e.type = ELF_ET_REL;
	set_eh(&f, &e);
	expect_refused(&f, f.size, "object file");
	e.type = ELF_ET_EXEC;
	e.machine = 183; /* AArch64 */
	set_eh(&f, &e);
	expect_refused(&f, f.size, "another machine");
}

/* A Ferrous program that elf_check_load refuses says so. */
static void test_program_unloadable(void **state)
{
	(void)state;
	struct fx f;
	const char *why = NULL;

	build(&f, KERN_VA); /* outside the user range */
	add_note(&f, FE_ELF_NOTE_ABI, FE_ELF_ABI_VERSION);
	assert_status(check_program(&f, f.size, &why), FE_ERR_OUT_OF_RANGE);
	assert_non_null(strstr(why, "cannot be loaded"));
}

#define SYM_TEST(fn) cmocka_unit_test_setup_teardown(fn, sym_setup, sym_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_null_args),
		cmocka_unit_test(test_parse_too_short),
		cmocka_unit_test(test_parse_bad_ident),
		cmocka_unit_test(test_parse_bad_type_machine_version),
		cmocka_unit_test(test_parse_bad_header_sizes),
		cmocka_unit_test(test_parse_phnum),
		cmocka_unit_test(test_parse_phdrs_past_end),
		cmocka_unit_test(test_parse_shdrs_past_end),
		cmocka_unit_test(test_parse_error_leaves_out_unchanged),
		cmocka_unit_test(test_load_good_user),
		cmocka_unit_test(test_load_good_kernel),
		cmocka_unit_test(test_load_bad_limits),
		cmocka_unit_test(test_load_filesz_gt_memsz),
		cmocka_unit_test(test_load_segment_past_file_end),
		cmocka_unit_test(test_load_vaddr_wraps),
		cmocka_unit_test(test_load_top_page),
		cmocka_unit_test(test_load_outside_limits),
		cmocka_unit_test(test_load_memsz_zero),
		cmocka_unit_test(test_load_offset_not_congruent),
		cmocka_unit_test(test_load_overlap),
		cmocka_unit_test(test_load_write_and_execute),
		cmocka_unit_test(test_load_entry),
		cmocka_unit_test(test_load_no_load_segments),
		cmocka_unit_test(test_program_good),
		cmocka_unit_test(test_program_linux_refused),
		cmocka_unit_test(test_program_bad_notes),
		cmocka_unit_test(test_program_not_elf),
		cmocka_unit_test(test_program_unloadable),
		cmocka_unit_test(test_symtab_good),
		cmocka_unit_test(test_symtab_stripped),
		cmocka_unit_test(test_symtab_malformed),
		SYM_TEST(test_symbolize),
		SYM_TEST(test_symbolize_misses),
		SYM_TEST(test_symbolize_ignores_objects),
		SYM_TEST(test_symbolize_name_buffer),
		SYM_TEST(test_symbolize_bad_name),
		SYM_TEST(test_symbol_value),
		SYM_TEST(test_no_symbols),
	};

	return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
