/*
 * elf_check.c — what sockrr asks of an ELF file before it runs a command
 * (elf_check.h): is the command static, can the interposer be preloaded.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "elf_check.h"

/* What sockrr asks of an ELF file's header, in either class. */
struct elf_head {
    int class;      /* ELFCLASS32 or ELFCLASS64 */
    int type;       /* ET_EXEC, ET_DYN, ... */
    int machine;    /* EM_X86_64, ... */
    uint64_t phoff, phnum, phentsize; /* the program headers */
};

/* The ELF header of the file open at fd: 0, or -1 when it is not ELF. */
static int elf_read(int fd, struct elf_head *out)
{
    unsigned char h[64];
    ssize_t n = pread(fd, h, sizeof h, 0);
    if (n >= 64 && memcmp(h, ELFMAG, SELFMAG) == 0 && h[EI_CLASS] == ELFCLASS64) {
        Elf64_Ehdr e;
        memcpy(&e, h, sizeof e);
        *out = (struct elf_head){ELFCLASS64, e.e_type, e.e_machine, e.e_phoff, e.e_phnum,
                                 e.e_phentsize};
        return 0;
    }
    if (n >= 52 && memcmp(h, ELFMAG, SELFMAG) == 0 && h[EI_CLASS] == ELFCLASS32) {
        Elf32_Ehdr e;
        memcpy(&e, h, sizeof e);
        *out = (struct elf_head){ELFCLASS32, e.e_type, e.e_machine, e.e_phoff, e.e_phnum,
                                 e.e_phentsize};
        return 0;
    }
    return -1;
}

int cli_elf_is_static(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct elf_head e;
    int is_static = elf_read(fd, &e) == 0;
    /* each program header starts with p_type, a 32-bit word in both classes */
    for (uint64_t i = 0; is_static && i < e.phnum; i++) {
        uint32_t type;
        if (pread(fd, &type, sizeof type, (off_t)(e.phoff + i * e.phentsize)) != sizeof type)
            break;
        if (type == PT_INTERP)
            is_static = 0;
    }
    /* a static-pie has no interpreter either; a shared object run directly
     * is rare enough to call static too */
    close(fd);
    return is_static;
}

/* 1 when the ELF file open at fd, of this machine's class, is a
 * position-independent executable (DF_1_PIE in its dynamic section), which
 * the loader will not preload. */
static int elf_is_pie(int fd, const struct elf_head *e)
{
    for (uint64_t i = 0; i < e->phnum; i++) {
        ElfW(Phdr) ph;
        if (pread(fd, &ph, sizeof ph, (off_t)(e->phoff + i * e->phentsize)) != sizeof ph)
            return 0;
        if (ph.p_type != PT_DYNAMIC)
            continue;
        for (uint64_t d = 0; d + sizeof(ElfW(Dyn)) <= ph.p_filesz; d += sizeof(ElfW(Dyn))) {
            ElfW(Dyn) dyn;
            if (pread(fd, &dyn, sizeof dyn, (off_t)(ph.p_offset + d)) != sizeof dyn ||
                dyn.d_tag == DT_NULL)
                return 0;
            if (dyn.d_tag == DT_FLAGS_1)
                return (dyn.d_un.d_val & DF_1_PIE) != 0;
        }
        return 0;
    }
    return 0;
}

const char *cli_elf_not_preloadable(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return strerror(errno);
    struct elf_head e, self = {0};
    int elf = elf_read(fd, &e) == 0;
    int sfd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (sfd >= 0) {
        (void)elf_read(sfd, &self);
        close(sfd);
    }
    int native = elf && e.class == (__ELF_NATIVE_CLASS == 64 ? ELFCLASS64 : ELFCLASS32) && (!self.class || e.machine == self.machine);
    int pie = native && e.type == ET_DYN && elf_is_pie(fd, &e);
    close(fd);
    if (!elf)
        return "not an ELF file";
    if (e.type != ET_DYN || pie)
        return pie ? "a program, not a shared library" : "not a shared library";
    if (!native)
        return "a shared library for another machine";
    return NULL;
}
