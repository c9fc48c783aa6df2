/*
 * Pipes: a 64 KiB ring between a read end and a write end (two open file
 * descriptions). Reads wait for data or for every writer to close (then
 * end of file); writes wait for room, and fail with EPIPE (and SIGPIPE,
 * raised by the caller) once every reader closed. Writes of at most
 * PIPE_BUF bytes are atomic.
 */
#pragma once

struct file;

#define PIPE_BUF 4096
#define PIPE_SIZE 65536

/* Creates a pipe; 0 with both ends (a reference each), or -LINUX_ENOMEM.
 * @flags: O_NONBLOCK for both ends. */
int pipe_create(unsigned flags, struct file **read_end,
		struct file **write_end);
/* Opens one end of a FIFO whose pipe lives in *@special (made on first
 * open): O_RDONLY, O_WRONLY or O_RDWR in @flags; a blocking open waits
 * for the other end. 0, -LINUX_ENXIO (O_WRONLY | O_NONBLOCK, no reader),
 * -LINUX_ERESTARTSYS, -LINUX_ENOMEM. With the pipe of pipe_of() (an
 * anonymous pipe), a new end of it that never waits. */
int pipe_fifo_open(void **special, unsigned flags, struct file **out);
/* The FIFO's inode is gone: its pipe goes with the last open end. */
void pipe_fifo_release(void *special);
/* The pipe behind @f (an end of a pipe or FIFO), of which
 * pipe_fifo_open can open another end (/proc/<pid>/fd/N); NULL for
 * other files. */
void *pipe_of(const struct file *f);
