# `make check`: static checks that CI runs with the tests.
#   lint-raw  inline asm and volatile MMIO only in kernel/arch/ (and boot/), with SAFETY:
#   cppcheck  kernel and loader sources (tests poke undefined behaviour on purpose)
#   tidy      clang-tidy (.clang-tidy) over every kernel and loader file, tests included
#   docs      tools/check-docs.py: docs/testing.md's scenario rows, suite counts and
#             host test and fuzzer lists

CHECK_OUT := $(OUT)/check
CPPCHECK_SRCS = $(filter-out %_test.c,$(filter %.c,$(KERNEL_SRCS)))

.PHONY: check lint-raw cppcheck tidy docs-check
check: lint-raw cppcheck tidy docs-check

docs-check:
	@$(PYTHON) tools/check-docs.py

lint-raw:
	@tools/lint-raw.sh

cppcheck:
	@echo "  CPPCHECK kernel"
	$(Q)cppcheck --quiet --enable=warning,portability --std=c11 --error-exitcode=1 \
		--inline-suppr --suppress=missingIncludeSystem -D__x86_64__ -DFE_DEBUG=1 \
		-DFE_KERNEL=1 $(INCLUDES) $(CPPCHECK_SRCS)
	@echo "  CPPCHECK boot"
	$(Q)cppcheck --quiet --enable=warning,portability --std=c11 --error-exitcode=1 \
		--inline-suppr --suppress=missingIncludeSystem -D__x86_64__ $(INCLUDES) \
		-I/usr/include/efi -I/usr/include/efi/x86_64 $(wildcard boot/*.c)

# clang-tidy reads the flags each file was really compiled with.
TIDY_OBJS = $(KERNEL_OBJS) $(filter $(LOADER_OUT)/boot/%,$(LOADER_OBJS))

$(CHECK_OUT)/compile_commands.json: $$(TIDY_OBJS)
	@mkdir -p $(dir $@)
	$(Q)(echo '['; cat $(TIDY_OBJS:=.json) | sed '$$ s/,[[:space:]]*$$//'; echo ']') > $@

tidy: $(CHECK_OUT)/compile_commands.json
	@echo "  TIDY    kernel, boot"
	$(Q)printf '%s\n' $(filter %.c,$(KERNEL_SRCS)) $(wildcard boot/*.c) | \
		xargs -P$$(nproc) -n8 clang-tidy -p $(CHECK_OUT) --quiet 2>/dev/null
