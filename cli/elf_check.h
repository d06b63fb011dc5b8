/*
 * elf_check.h — what sockrr asks of an ELF file before it runs a command
 * (elf_check.c), so that a run the loader would leave untraced is refused
 * up front instead of recording nothing.
 */
#ifndef SOCKRR_ELF_CHECK_H
#define SOCKRR_ELF_CHECK_H

/* 1 when path is an ELF executable with no program interpreter (static:
 * the dynamic loader never runs, so LD_PRELOAD does nothing); 0 for a
 * dynamic one, a script or anything else exec will judge. */
int cli_elf_is_static(const char *path);

/* NULL when path is an ELF shared library of this machine and class (what
 * the loader can preload into a program like sockrr); else why not.  The
 * loader's own word for a file it cannot preload is a warning, and the
 * program then runs untraced. */
const char *cli_elf_not_preloadable(const char *path);

#endif
