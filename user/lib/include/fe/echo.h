/* SPDX-License-Identifier: MIT */
/*
 * The protocol of `echo` (user/echo), the demo service the supervisor's
 * tests and `make run` use (docs/services.md). Replies carry a status in
 * their label (fe/service.h).
 */
#ifndef FE_ECHO_H
#define FE_ECHO_H

/* (w0..w2) -> the same words, and w3 = requests this instance has answered
 * before this one (so a fresh instance answers 0 to its first). */
#define ECHO_LABEL_ECHO 1u
/* (w0 = koid, w1 = enum fe_fault) -> if w0 is this instance's koid, the
 * fault, without an answer (the call is in flight when the instance dies);
 * else as ECHO_LABEL_ECHO. Tests the client library's retry. */
#define ECHO_LABEL_FAIL_IF 2u

#endif /* FE_ECHO_H */
