/* SPDX-License-Identifier: MIT */
/* The console's commands (commands.c). */
#ifndef CONSOLE_CONSOLE_H
#define CONSOLE_CONSOLE_H

enum { CONSOLE_CONTINUE = 0, CONSOLE_EXIT = 1 };

/* Runs one command line (modified in place). */
int console_command(char *line);
int console_exit_code(void);

#endif /* CONSOLE_CONSOLE_H */
