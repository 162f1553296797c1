/* SPDX-License-Identifier: MIT */
/*
 * ELF64 checks. Every offset and size read from the file is treated as hostile:
 * additions are checked for wrap-around before any comparison, and nothing is
 * read in place (headers are copied into aligned locals first).
 */
#include "elf.h"

#define ELF_PAGE 4096ULL

/* True when [off, off + len) lies inside a buffer of `size` bytes. */
static bool range_in(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static void copy_bytes(void *dst, const uint8_t *src, size_t len)
{
	__builtin_memcpy(dst, src, len);
}

fe_status_t elf_parse(const void *data, size_t size, struct elf_image *out)
{
	struct elf64_ehdr eh;

	if (data == NULL || out == NULL)
		return FE_ERR_INVALID_ARG;
	if (size < sizeof(eh))
		return FE_ERR_OUT_OF_RANGE;
	copy_bytes(&eh, data, sizeof(eh));

	if (eh.ident[0] != 0x7f || eh.ident[1] != 'E' || eh.ident[2] != 'L' || eh.ident[3] != 'F')
		return FE_ERR_BAD_FORMAT;
	if (eh.ident[4] != 2 /* ELFCLASS64 */ || eh.ident[5] != 1 /* ELFDATA2LSB */ ||
	    eh.ident[6] != 1 /* EV_CURRENT */)
		return FE_ERR_BAD_FORMAT;
	if (eh.type != ELF_ET_EXEC || eh.machine != ELF_EM_X86_64 || eh.version != 1)
		return FE_ERR_BAD_FORMAT;
	if (eh.ehsize < sizeof(eh))
		return FE_ERR_BAD_FORMAT;
	if (eh.phnum == 0 || eh.phnum > ELF_MAX_PHDRS || eh.phentsize != sizeof(struct elf64_phdr))
		return FE_ERR_BAD_FORMAT;
	if (!range_in(eh.phoff, (uint64_t)eh.phnum * eh.phentsize, size))
		return FE_ERR_OUT_OF_RANGE;
	if (eh.shnum != 0) {
		if (eh.shentsize != sizeof(struct elf64_shdr) || eh.shstrndx >= eh.shnum)
			return FE_ERR_BAD_FORMAT;
		if (!range_in(eh.shoff, (uint64_t)eh.shnum * eh.shentsize, size))
			return FE_ERR_OUT_OF_RANGE;
	}

	out->data = data;
	out->size = size;
	out->eh = eh;
	return FE_OK;
}

fe_status_t elf_phdr(const struct elf_image *img, unsigned idx, struct elf64_phdr *out)
{
	if (idx >= img->eh.phnum)
		return FE_ERR_OUT_OF_RANGE;
	copy_bytes(out, img->data + img->eh.phoff + (uint64_t)idx * sizeof(*out), sizeof(*out));
	return FE_OK;
}

static fe_status_t shdr_at(const struct elf_image *img, unsigned idx, struct elf64_shdr *out)
{
	if (idx >= img->eh.shnum)
		return FE_ERR_OUT_OF_RANGE;
	copy_bytes(out, img->data + img->eh.shoff + (uint64_t)idx * sizeof(*out), sizeof(*out));
	return FE_OK;
}

/* Checks one PT_LOAD segment on its own; fills its page-rounded [lo, hi). */
static fe_status_t check_segment(const struct elf_image *img, const struct elf64_phdr *ph,
                                 uint64_t lo_limit, uint64_t hi_limit, uint64_t *lo, uint64_t *hi)
{
	if (ph->filesz > ph->memsz)
		return FE_ERR_BAD_FORMAT;
	if (!range_in(ph->offset, ph->filesz, img->size))
		return FE_ERR_OUT_OF_RANGE;
	if ((ph->vaddr % ELF_PAGE) != (ph->offset % ELF_PAGE))
		return FE_ERR_BAD_FORMAT;
	if ((ph->flags & ELF_PF_W) && (ph->flags & ELF_PF_X))
		return FE_ERR_BAD_FORMAT;
	if (ph->memsz == 0 || ph->vaddr < lo_limit || ph->vaddr > hi_limit ||
	    ph->memsz > hi_limit - ph->vaddr)
		return FE_ERR_OUT_OF_RANGE;
	*lo = ph->vaddr & ~(ELF_PAGE - 1);
	/* vaddr + memsz <= hi_limit, so rounding up wraps only if hi_limit is near 2^64. */
	uint64_t end = ph->vaddr + ph->memsz;
	if (end > UINT64_MAX - (ELF_PAGE - 1))
		return FE_ERR_OUT_OF_RANGE;
	*hi = (end + ELF_PAGE - 1) & ~(ELF_PAGE - 1);
	return FE_OK;
}

fe_status_t elf_check_load(const struct elf_image *img, uint64_t lo_limit, uint64_t hi_limit,
                           struct elf_load_span *span)
{
	uint64_t seg_lo[ELF_MAX_PHDRS], seg_hi[ELF_MAX_PHDRS];
	unsigned nseg = 0;
	bool entry_ok = false;
	struct elf_load_span s = { UINT64_MAX, 0 };

	if (lo_limit >= hi_limit)
		return FE_ERR_INVALID_ARG;
	for (unsigned i = 0; i < img->eh.phnum; i++) {
		struct elf64_phdr ph;
		uint64_t lo, hi;

		elf_phdr(img, i, &ph);
		if (ph.type != ELF_PT_LOAD)
			continue;
		fe_status_t st = check_segment(img, &ph, lo_limit, hi_limit, &lo, &hi);
		if (st != FE_OK)
			return st;
		for (unsigned j = 0; j < nseg; j++)
			if (lo < seg_hi[j] && seg_lo[j] < hi)
				return FE_ERR_BAD_FORMAT; /* two segments share a page */
		seg_lo[nseg] = lo;
		seg_hi[nseg] = hi;
		nseg++;
		if ((ph.flags & ELF_PF_X) && img->eh.entry >= ph.vaddr &&
		    img->eh.entry - ph.vaddr < ph.memsz)
			entry_ok = true;
		if (lo < s.lo)
			s.lo = lo;
		if (hi > s.hi)
			s.hi = hi;
	}
	if (nseg == 0 || !entry_ok)
		return FE_ERR_BAD_FORMAT;
	*span = s;
	return FE_OK;
}

/* Why data is not an ELF file at all, or NULL if it starts with the ELF magic. */
static const char *not_elf_why(const uint8_t *d, size_t size)
{
	if (size == 0)
		return "an empty file, not a program";
	if (size >= 2 && d[0] == '#' && d[1] == '!')
		return "a script (#!), not a program: Ferrous runs no interpreters";
	if (size >= 4 && d[0] == 0x7f && d[1] == 'E' && d[2] == 'L' && d[3] == 'F')
		return NULL;
	for (size_t i = 0; i < size && i < 64; i++)
		if ((d[i] < 0x20 || d[i] > 0x7e) && d[i] != '\n' && d[i] != '\r' && d[i] != '\t')
			return "not an ELF file (no \\x7fELF magic)";
	return "a text file, not an ELF executable";
}

/* Why elf_parse refused an ELF file (its magic is known to be right). */
static const char *parse_why(const uint8_t *d, size_t size, fe_status_t st)
{
	struct elf64_ehdr eh;

	if (size < sizeof(eh))
		return "truncated: shorter than an ELF64 header";
	copy_bytes(&eh, d, sizeof(eh));
	if (eh.ident[4] != 2)
		return "a 32-bit ELF file; Ferrous runs x86_64 (ELF64) programs";
	if (eh.ident[5] != 1 || eh.machine != ELF_EM_X86_64)
		return "an ELF file for another machine; Ferrous runs x86_64 programs";
	if (eh.type == ELF_ET_DYN)
		return "a position-independent or shared ELF (ET_DYN); Ferrous runs static executables";
	if (eh.type == ELF_ET_REL)
		return "an object file (ET_REL), not a linked executable";
	if (st == FE_ERR_OUT_OF_RANGE)
		return "truncated: a header table runs past the end of the file";
	return "a malformed ELF header";
}

/* True when the note at d[off..off+len) list holds the Ferrous ABI note; *ver gets its version. */
static bool find_ferrous_note(const uint8_t *d, uint64_t off, uint64_t len, uint32_t *ver)
{
	static const char name[] = FE_ELF_NOTE_NAME;
	uint64_t pos = 0;

	while (len - pos >= 12) {
		uint32_t w[3];
		copy_bytes(w, d + off + pos, sizeof(w));
		uint64_t namesz = w[0], descsz = w[1];
		uint64_t name_at = pos + 12, desc_at = name_at + ((namesz + 3) & ~3ULL);
		if (desc_at > len || ((descsz + 3) & ~3ULL) > len - desc_at)
			return false;
		if (w[2] == FE_ELF_NOTE_ABI && namesz == sizeof(name) && descsz == 4 &&
		    __builtin_memcmp(d + off + name_at, name, sizeof(name)) == 0) {
			copy_bytes(ver, d + off + desc_at, 4);
			return true;
		}
		pos = desc_at + ((descsz + 3) & ~3ULL);
	}
	return false;
}

/* Looks through every PT_NOTE segment for the Ferrous ABI note. */
static bool has_ferrous_note(const struct elf_image *img, uint32_t *ver)
{
	for (unsigned i = 0; i < img->eh.phnum; i++) {
		struct elf64_phdr ph;

		if (elf_phdr(img, i, &ph) != FE_OK)
			return false;
		if (ph.type == ELF_PT_NOTE && range_in(ph.offset, ph.filesz, img->size) &&
		    find_ferrous_note(img->data, ph.offset, ph.filesz, ver))
			return true;
	}
	return false;
}

fe_status_t elf_check_program(const void *data, size_t size, uint64_t lo_limit, uint64_t hi_limit,
                              struct elf_image *img, const char **why)
{
	struct elf_load_span span;
	uint32_t ver = 0;
	fe_status_t st;

	if ((*why = not_elf_why(data, data == NULL ? 0 : size)) != NULL)
		return FE_ERR_BAD_FORMAT;
	if ((st = elf_parse(data, size, img)) != FE_OK) {
		*why = parse_why(data, size, st);
		return st;
	}
	if (img->eh.ident[7] == ELF_OSABI_GNU)
		*why = "a Linux program (ELF OS ABI GNU/Linux), not a Ferrous one";
	else if (img->eh.ident[7] != ELF_OSABI_NONE)
		*why = "an ELF program for another operating system (its OS ABI byte is not 0)";
	else if (!has_ferrous_note(img, &ver))
		*why = "not a Ferrous program: no Ferrous ABI note (.note.ferrous); a Linux static binary?";
	else if (ver != FE_ELF_ABI_VERSION)
		*why = "built for another Ferrous ABI version";
	if (*why != NULL)
		return FE_ERR_BAD_FORMAT;
	if ((st = elf_check_load(img, lo_limit, hi_limit, &span)) != FE_OK)
		*why = "its segments cannot be loaded (out of the user range, overlapping, writable and "
		       "executable, or the entry point not in code)";
	return st;
}

fe_status_t elf_find_symtab(const struct elf_image *img, struct elf_symtab *out)
{
	for (unsigned i = 0; i < img->eh.shnum; i++) {
		struct elf64_shdr sh, str;

		shdr_at(img, i, &sh);
		if (sh.type != ELF_SHT_SYMTAB)
			continue;
		if (sh.entsize != sizeof(struct elf64_sym) || sh.size % sizeof(struct elf64_sym) != 0)
			return FE_ERR_BAD_FORMAT;
		if (!range_in(sh.offset, sh.size, img->size))
			return FE_ERR_OUT_OF_RANGE;
		if (shdr_at(img, sh.link, &str) != FE_OK)
			return FE_ERR_BAD_FORMAT;
		if (!range_in(str.offset, str.size, img->size))
			return FE_ERR_OUT_OF_RANGE;
		out->img = img;
		out->sym_off = sh.offset;
		out->sym_count = sh.size / sizeof(struct elf64_sym);
		out->str_off = str.offset;
		out->str_size = str.size;
		return FE_OK;
	}
	return FE_ERR_NOT_FOUND;
}

static void sym_at(const struct elf_symtab *tab, uint64_t idx, struct elf64_sym *out)
{
	copy_bytes(out, tab->img->data + tab->sym_off + idx * sizeof(*out), sizeof(*out));
}

/* The NUL-terminated string at `off` in the string table, or NULL if it is not terminated. */
static const char *str_at(const struct elf_symtab *tab, uint64_t off, uint64_t *len)
{
	const char *s = (const char *)tab->img->data + tab->str_off;

	for (uint64_t i = off; i < tab->str_size; i++) {
		if (s[i] == '\0') {
			*len = i - off;
			return s + off;
		}
	}
	return NULL;
}

fe_status_t elf_symbolize(const struct elf_symtab *tab, uint64_t addr, char *name, size_t name_max,
                          uint64_t *offset)
{
	struct elf64_sym best = { 0 };
	bool found = false;

	for (uint64_t i = 0; i < tab->sym_count; i++) {
		struct elf64_sym sym;

		sym_at(tab, i, &sym);
		if (ELF_SYM_TYPE(sym.info) != ELF_STT_FUNC || sym.value > addr)
			continue;
		if (sym.size != 0 && addr - sym.value >= sym.size)
			continue;
		if (!found || sym.value > best.value) {
			best = sym;
			found = true;
		}
	}
	uint64_t len;
	const char *s = found ? str_at(tab, best.name, &len) : NULL;
	if (s == NULL || name_max == 0)
		return FE_ERR_NOT_FOUND;
	if (len > name_max - 1)
		len = name_max - 1;
	copy_bytes(name, (const uint8_t *)s, len);
	name[len] = '\0';
	*offset = addr - best.value;
	return FE_OK;
}

fe_status_t elf_symbol_value(const struct elf_symtab *tab, const char *name, uint64_t *value)
{
	for (uint64_t i = 0; i < tab->sym_count; i++) {
		struct elf64_sym sym;
		uint64_t len, j;

		sym_at(tab, i, &sym);
		const char *s = str_at(tab, sym.name, &len);
		if (s == NULL || len == 0)
			continue; /* unnamed (the null symbol, sections): never a match, not even for "" */
		for (j = 0; j < len && name[j] == s[j]; j++)
			;
		if (j == len && name[j] == '\0') {
			*value = sym.value;
			return FE_OK;
		}
	}
	return FE_ERR_NOT_FOUND;
}
