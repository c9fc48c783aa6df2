# Host tests of the generated file systems (servers/posix): pseudofs over
# the vfs, mounted in a tmpfs tree (the sources are listed here: vfs.mk
# is read after this fragment), exec's records for /proc, and procfs's
# formats.
PROCFS_TEST_SRCS := servers/posix/pseudofs.c servers/posix/textbuf.c \
	servers/posix/execinfo.c lib/base/fmt.c
PROCFS_TEST_VFS_SRCS := servers/posix/vfs.c servers/posix/vfs_walk.c \
	servers/posix/vfs_ops.c servers/posix/vfs_file.c servers/posix/file.c \
	servers/posix/tmpfs.c servers/posix/dirindex.c servers/posix/pagemap.c
PROCFS_TEST_HDRS := $(wildcard servers/posix/*.h) \
	$(wildcard abi/linux_abi/*.h) tests/host/posix_fixture.h
$(eval $(call host_test,test_pseudofs,$(PROCFS_TEST_VFS_SRCS) \
	$(PROCFS_TEST_SRCS)))
$(eval $(call host_test,test_procfs_fmt,servers/posix/procfs_fmt.c \
	servers/posix/textbuf.c lib/base/fmt.c))
$(BUILD)/host/test_pseudofs $(BUILD)/host/test_procfs_fmt: \
	$(PROCFS_TEST_HDRS)
