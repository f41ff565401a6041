#ifndef BOSUN_PROCESS_SPAWN_H
#define BOSUN_PROCESS_SPAWN_H
#include <sys/types.h>

/// Starts `argv[0]` (searched in this process's PATH when it has no slash) as the leader of a new
/// process group, with `envp`, in `directory` (NULL: inherit), with stdin from /dev/null and
/// stdout/stderr on the given descriptors, and with the kernel set to SIGKILL it if the calling
/// thread exits, so a container never outlives a killed Bosun.
///
/// Returns the child's pid, or -1 with errno set. If exec fails the child exits with 127 after
/// writing errno to `error_fd` (a close-on-exec pipe the caller reads to tell "not found" from
/// an ordinary exit).
///
/// The kernel sends the parent-death signal when the *thread* that forked exits, so callers fork
/// from one thread that lives as long as the process.
pid_t bosun_spawn(char *const argv[], char *const envp[], const char *directory, int stdout_fd, int stderr_fd,
                  int error_fd);

/// Makes this process adopt its orphaned descendants (PR_SET_CHILD_SUBREAPER), so the processes a
/// container leaves behind become ours to kill and reap rather than init's. Returns 0 or -1.
int bosun_become_subreaper(void);

/// pipe2(fds, O_CLOEXEC), which Swift's Glibc module does not expose. Returns 0 or -1 with errno.
int bosun_pipe_cloexec(int fds[2]);

#endif
