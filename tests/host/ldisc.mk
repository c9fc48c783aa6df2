# Host tests of the posix server's line discipline (pure logic).
$(eval $(call host_test,test_ldisc,servers/posix/ldisc.c))
$(BUILD)/host/test_ldisc: servers/posix/ldisc.h abi/linux/termios.h
