/*
 * banned: libc calls that have no place here, turned into compile errors
 * (git's banned.h).  strcpy/strcat/sprintf write without a bound, atoi and
 * friends cannot report a bad number, gets cannot be used safely.
 */
#ifndef CK_BANNED_H
#define CK_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_in_creditkit

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef gets
#define gets(x) BANNED(gets)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef atof
#define atof(x) BANNED(atof)

#endif
