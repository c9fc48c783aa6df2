/*
 * Basic I/O on file descriptors: writing to stdout (write, writev,
 * stdio), dup, pipes, and the errors for bad descriptors and bad
 * buffers.
 */
#include <fcntl.h>
#include <sys/uio.h>

#include "lt.h"

static void test_stdout(void)
{
	static const char hello[] = "hello, world\n";
	struct iovec iov[2] = {
		{ .iov_base = (void *)"hello, ", .iov_len = 7 },
		{ .iov_base = (void *)"iovec\n", .iov_len = 6 },
	};

	LT_EXPECT("write_stdout", write(1, hello, sizeof(hello) - 1),
		  sizeof(hello) - 1);
	LT_EXPECT("writev_stdout", writev(1, iov, 2), 13);
	LT_EXPECT("write_zero_bytes", write(1, hello, 0), 0);
	LT_CHECK("printf_stdout", printf("hello, stdio\n") == 13);
	LT_EXPECT("fflush_stdout", fflush(stdout), 0);
}

static void test_bad_fds(void)
{
	char c;

	LT_ERRNO("write_fd_minus_one", write(-1, "x", 1), EBADF);
	LT_ERRNO("write_fd_not_open", write(1000, "x", 1), EBADF);
	LT_ERRNO("read_fd_minus_one", read(-1, &c, 1), EBADF);
	LT_ERRNO("close_fd_minus_one", close(-1), EBADF);
	LT_ERRNO("close_fd_not_open", close(1000), EBADF);
	LT_ERRNO("dup_fd_not_open", dup(1000), EBADF);
}

static void test_bad_buffers(void)
{
	int p[2];

	LT_ERRNO("write_null_buffer", write(1, NULL, 1), EFAULT);
	LT_ERRNO("write_kernel_buffer", write(1, LT_KERNEL_PTR, 8), EFAULT);
	LT_ERRNO("write_noncanonical_buffer",
		 write(1, LT_NONCANONICAL_PTR, 8), EFAULT);
	if (pipe(p) != 0) {
		LT_CHECK("pipe_for_bad_read", false);
		return;
	}
	LT_EXPECT("pipe_write_for_bad_read", write(p[1], "abc", 3), 3);
	LT_ERRNO("read_into_kernel_buffer", read(p[0], LT_KERNEL_PTR, 3),
		 EFAULT);
	LT_ERRNO("read_into_null", read(p[0], NULL, 3), EFAULT);
	close(p[0]);
	close(p[1]);
}

static void test_dup_and_pipe(void)
{
	char buf[16] = { 0 };
	int p[2], d;

	d = dup(1);
	LT_CHECK("dup_gives_new_fd", d > 2);
	LT_EXPECT("write_through_dup", write(d, "dup\n", 4), 4);
	LT_EXPECT("close_dup", close(d), 0);
	LT_ERRNO("close_twice", close(d), EBADF);

	LT_EXPECT("pipe2", pipe2(p, O_CLOEXEC), 0);
	LT_EXPECT("pipe_write", write(p[1], "ping", 4), 4);
	LT_EXPECT("pipe_read", read(p[0], buf, sizeof(buf)), 4);
	LT_CHECK("pipe_data", memcmp(buf, "ping", 4) == 0);
	LT_EXPECT("pipe_cloexec", fcntl(p[0], F_GETFD), FD_CLOEXEC);
	LT_ERRNO("lseek_pipe", lseek(p[0], 0, SEEK_SET), ESPIPE);
	LT_ERRNO("pipe_write_end_not_readable", read(p[1], buf, 1), EBADF);
	close(p[1]);
	LT_EXPECT("pipe_eof_after_close", read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
	LT_ERRNO("pipe_null_array", pipe((int *)0), EFAULT);
}

int main(void)
{
	test_stdout();
	test_bad_fds();
	test_bad_buffers();
	test_dup_and_pipe();
	return lt_done();
}
