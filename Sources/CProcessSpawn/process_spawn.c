#define _GNU_SOURCE
#include "process_spawn.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

pid_t bosun_spawn(char *const argv[], char *const envp[], const char *directory, int stdout_fd, int stderr_fd,
                  int error_fd) {
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0) return pid;

    // In the child only async-signal-safe calls until exec.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent died before prctl took effect
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(stdout_fd, 1);
    dup2(stderr_fd, 2);
    if (directory != NULL && chdir(directory) != 0) {
        int err = errno;
        (void)!write(error_fd, &err, sizeof err);
        _exit(127);
    }
    execvpe(argv[0], argv, envp);
    int err = errno;
    (void)!write(error_fd, &err, sizeof err);
    _exit(127);
}

int bosun_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int bosun_become_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1);
}
