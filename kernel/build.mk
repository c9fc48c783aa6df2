# The kernel: kernel/arch/x86_64 + kernel/generic + the freestanding parts of
# lib/ it shares with user space, linked higher-half into one ELF64 that
# GRUB loads by multiboot2.

KERNEL_ELF := $(BUILD)/kernel/keel.elf

KERNEL_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-common -mno-red-zone \
	-mgeneral-regs-only -mcmodel=kernel -fno-pie -fno-stack-protector \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-mno-sse -mno-mmx -mno-80387 $(WARN) $(COMMON_INC) -Ikernel/generic \
	-Ikernel -DKERNEL -MMD -MP
KERNEL_ASFLAGS := -g $(COMMON_INC) -Ikernel/generic -Ikernel -DKERNEL \
	-D__ASSEMBLY__ -MMD -MP

KERNEL_LIB_SRCS := $(LIB_BASE_SRCS) $(LIB_ELF_SRCS) $(LIB_CPIO_SRCS)
KERNEL_SRCS := $(sort $(wildcard kernel/arch/x86_64/*.S \
	kernel/arch/x86_64/*.c kernel/generic/*.c kernel/generic/*/*.c)) \
	$(KERNEL_LIB_SRCS)
KERNEL_OBJS := $(patsubst %,$(BUILD)/kernel/%.o,$(KERNEL_SRCS))

$(BUILD)/kernel/%.c.o: %.c
	$(call msg,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KERNEL_CFLAGS) -c -o $@ $<

$(BUILD)/kernel/%.S.o: %.S
	$(call msg,AS,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c -o $@ $<

# Linked twice: pass one with an empty symbol table, then the table that
# panic() symbolizes backtraces with is generated from it
# (tools/gensyms.sh) and linked in. .ksyms is placed last in kernel.ld, so
# no other address moves between the passes.
KERNEL_LINK = $(LD) -n -z max-page-size=0x1000 -z noexecstack --no-warn-rwx-segments -T kernel/arch/x86_64/kernel.ld

$(KERNEL_ELF): $(KERNEL_OBJS) kernel/arch/x86_64/kernel.ld tools/gensyms.sh
	$(call msg,LD,$@)
	$(Q)tools/gensyms.sh /dev/null $(BUILD)/kernel/nosyms.S
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c -o $(BUILD)/kernel/nosyms.o \
		$(BUILD)/kernel/nosyms.S
	$(Q)$(KERNEL_LINK) -o $@.pass1 $(KERNEL_OBJS) $(BUILD)/kernel/nosyms.o
	$(Q)tools/gensyms.sh $@.pass1 $(BUILD)/kernel/syms.S
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c -o $(BUILD)/kernel/syms.o \
		$(BUILD)/kernel/syms.S
	$(Q)$(KERNEL_LINK) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel/syms.o

.PHONY: kernel
kernel: $(KERNEL_ELF)
