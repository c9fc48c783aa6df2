# lib/: freestanding code shared by the kernel and user space.
#   base/  strings, formatting, error strings, intrusive lists
#   elf/   ELF64 image validation and segment walking
#   cpio/  cpio "newc" archive reading (the initrd)
#   rt/    the native user runtime: crt0, syscall wrappers (user only)
#   fiber/ fibers, their mutex/condvar and the event loop (user only)
#   pci/   PCI configuration space: access, capabilities, MSI (user only)
#   proto/ the protocol helper: request/reply messages over streams,
#          client calls and a server skeleton on fibers (user only)
#   registry/ the registry's property format and client stubs (user only)
#   fsserve/ the server side of the file-system protocol (user only)
LIB_BASE_SRCS := $(sort $(wildcard lib/base/*.c))
LIB_ELF_SRCS  := $(sort $(wildcard lib/elf/*.c))
LIB_CPIO_SRCS := $(sort $(wildcard lib/cpio/*.c))
LIB_RT_SRCS   := $(sort $(wildcard lib/rt/*.c lib/rt/*.S))
LIB_FIBER_SRCS := $(sort $(wildcard lib/fiber/*.c lib/fiber/*.S))
LIB_PCI_SRCS := $(sort $(wildcard lib/pci/*.c))
LIB_PROTO_SRCS := $(sort $(wildcard lib/proto/*.c))
LIB_REGISTRY_SRCS := $(sort $(wildcard lib/registry/*.c))
LIB_FSSERVE_SRCS := $(sort $(wildcard lib/fsserve/*.c))
