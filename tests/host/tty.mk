# Host tests of the posix server's terminals: the line discipline (pure
# logic) and the tty object over a fake device, a fake process layer and
# fake file/wait/umem functions (test_tty.c defines them).
$(eval $(call host_test,test_ldisc,servers/posix/ldisc.c))
$(BUILD)/host/test_ldisc: servers/posix/ldisc.h abi/linux_abi/termios.h

$(eval $(call host_test,test_tty,servers/posix/tty.c servers/posix/ldisc.c))
$(BUILD)/host/test_tty: servers/posix/tty.h servers/posix/ldisc.h \
	servers/posix/file.h servers/posix/wait.h servers/posix/umem.h \
	abi/linux_abi/termios.h abi/linux_abi/ioctl.h
