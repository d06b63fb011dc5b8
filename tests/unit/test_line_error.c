/*
 * test_line_error.c — a refused trace line is told as jansson told it
 * (replay/read/line_error.c): the message, its "near" context and the
 * column, for each kind of problem its lexer and parser knew.  The table's
 * right-hand sides were written by jansson 2.14 itself (json_loadb with
 * JSON_REJECT_DUPLICATES, the reader's call) on the left-hand sides, the
 * last time the project linked it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "line_error.h"

static const struct {
    const char *line;
    const char *msg; /* NULL: jansson took the line */
    int column;
} cases[] = {
    {"hello, world", "'[' or '{' expected near 'hello'", 5},
    {"{\"type\":\"event\",\"seq\":2,\"t\":5000002000,", "string or '}' expected near end of file", 39},
    {"{\"a\":1,\"a\":2}", "duplicate object key near '\"a\"'", 10},
    {"{\"a\":1,\"\\u0061\":2}", "duplicate object key near '\"\\u0061\"'", 15},
    {"{\"a\":{\"b\":1,\"b\":2}}", "duplicate object key near '\"b\"'", 15},
    {"42", "'[' or '{' expected near '42'", 2},
    {"\"str\"", "'[' or '{' expected near '\"str\"'", 5},
    {"[1,2]", NULL, 0},
    {"[1,]", "unexpected token near ']'", 4},
    {"[", "']' expected near end of file", 1},
    {"{", "string or '}' expected near end of file", 1},
    {"{\"a\"", "':' expected near end of file", 4},
    {"{\"a\":", "unexpected token near end of file", 5},
    {"{\"a\":1", "'}' expected near end of file", 6},
    {"{\"a\":1 \"b\":2}", "'}' expected near '\"b\"'", 10},
    {"{\"a\" 1}", "':' expected near '1'", 6},
    {"{1:2}", "string or '}' expected near '1'", 2},
    {"{\"a\":tru}", "invalid token near 'tru'", 8},
    {"{\"a\":True}", "invalid token near 'True'", 9},
    {"{\"a\":nul}", "invalid token near 'nul'", 8},
    {"{\"a\":01}", "invalid token near '0'", 6},
    {"{\"a\":1.}", "invalid token near '1.'", 7},
    {"{\"a\":1e}", "invalid token near '1e'", 7},
    {"{\"a\":-}", "invalid token near '-'", 6},
    {"{\"a\":-x}", "invalid token near '-'", 6},
    {"{\"a\":1.5.2}", "'}' expected near '.'", 9},
    {"{\"a\":99999999999999999999}", "too big integer near '99999999999999999999'", 25},
    {"{\"a\":-99999999999999999999}", "too big negative integer", 26},
    {"{\"a\":123456789012345678901234567890}", "too big integer", 35},
    {"{\"a\":1e400}", "real number overflow near '1e400'", 10},
    {"{\"a\":\"abc", "premature end of input near '\"abc'", 9},
    {"{\"a\":\"a\x09" "b\"}", "control character 0x9 near '\"a'", 7},
    {"{\"a\":\"\\x\"}", "invalid escape near '\"\\x'", 8},
    {"{\"a\":\"\\u12\"}", "invalid escape near '\"\\u12\"'", 11},
    {"{\"a\":\"\\ud800\"}", "invalid Unicode '\\uD800' near '\"\\ud800\"'", 13},
    {"{\"a\":\"\\ud800x\"}", "invalid Unicode '\\uD800' near '\"\\ud800x\"'", 14},
    {"{\"a\":\"\\ud800\\n\"}", "invalid Unicode '\\uD800' near '\"\\ud800\\n\"'", 15},
    {"{\"a\":\"\\ud800\\u0041\"}", "invalid Unicode '\\uD800\\u0041' near '\"\\ud800\\u0041\"'", 19},
    {"{\"a\":\"\\udc00\"}", "invalid Unicode '\\uDC00' near '\"\\udc00\"'", 13},
    {"{\"a\":\"\\u0000\"}", "\\u0000 is not allowed without JSON_ALLOW_NUL near '\"\\u0000\"'", 13},
    {"{\"\\u0000\":1}", "NUL byte in object key not supported near '\"\\u0000\"'", 9},
    {"{\"a\":\"\\ud800\x09" "\"}", "control character 0x9 near '\"\\ud800'", 12},
    {"{\"a\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaa", "premature end of input", 33},
    {"{\"a\":1}}", "end of file expected near '}'", 8},
    {"{\"a\":1} x", "end of file expected near 'x'", 9},
    {"{\"a\":1},", "end of file expected near ','", 8},
    {"[1] [2]", "end of file expected near '['", 5},
    {"{\"\xc3" "\xa9" "\":1,\"\xc3" "\xa9" "\":2}", "duplicate object key near '\"\xc3" "\xa9" "\"'", 10},
    {"{\"k\":\"\xe2" "\x82" "\xac" "\xe2" "\x82" "\xac" "\xe2" "\x82" "\xac" "\xe2" "\x82" "\xac" "\xe2" "\x82" "\xac" "\xe2" "\x82" "\xac" "\xe2" "\x82" "\xac" "\xe2" "\x82" "\xac" "\"}x", "end of file expected near 'x'", 17},
    {"{\"a\":@}", "invalid token near '@'", 6},
    {"{\"a\":[1,2}", "']' expected near '}'", 10},
    {"{\"a\":[1 2]}", "']' expected near '2'", 9},
    {"{\"a\":{]}", "string or '}' expected near ']'", 7},
    {"  {\"a\":1, }", "string or '}' expected near '}'", 11},
    {"{,}", "string or '}' expected near ','", 2},
    {"]", "'[' or '{' expected near ']'", 1},
    {"\xef" "\xbb" "\xbf" "{\"a\":1}", "'[' or '{' expected near '\xef" "\xbb" "\xbf" "'", 1},
    {"{\"a\":\"\xff" "\"}", "unable to decode byte 0xff near '\"'", 6},
    {"{\"a\":\xff" "}", "unable to decode byte 0xff", 5},
    {"\xff" "", "unable to decode byte 0xff", 0},
    {"{\"a\":\"ab\xc3" "\"}", "unable to decode byte 0xc3 near '\"ab'", 8},
    {"{\"a\":\"\xe2" "\x82" "\"}", "unable to decode byte 0xe2 near '\"'", 6},
    {"{\"\xc3" "\xa9" "\xc3" "\xa9" "\":x}", "invalid token near 'x'", 7},
    {"{\"a\":\"\xed" "\xa0" "\x80" "\"}", "unable to decode byte 0xed near '\"'", 6},
    {"{\"a\":\x01" "}", "invalid token near '\x01" "'", 6},
    {"{\"a\":\"\xc3" "\xa9" "\x01" "\"}", "control character 0x1 near '\"\xc3" "\xa9" "'", 7},
};

/* The reader's call: the tree reader first, its repeated key passed on. */
static int told(const char *line, size_t len, char *msg, size_t n, int *column)
{
    srr_parse_error err;
    srr_json *v = srr__json_parse(line, len, "t", &err);
    int dup = !v && err.code == SRR_PARSE_EDUPLICATE ? err.column : 0;
    srr__json_free(v);
    return srr__line_error(line, len, dup, msg, n, column);
}

static void test_each_problem_is_told_as_jansson_told_it(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char msg[160] = "";
        int column = -1;
        int rc = told(cases[i].line, strlen(cases[i].line), msg, sizeof msg, &column);
        if (!cases[i].msg) {
            if (rc != 0)
                fail_msg("case %zu %s: refused: %s", i, cases[i].line, msg);
            continue;
        }
        if (rc != 1 || strcmp(msg, cases[i].msg) != 0 || column != cases[i].column)
            fail_msg("case %zu %s:\n got      %s (column %d)\n expected %s (column %d)", i,
                     cases[i].line, rc ? msg : "(taken)", column, cases[i].msg, cases[i].column);
    }
}

/* s, n times, at p; returns the end. */
static char *repeat(char *p, const char *s, size_t n)
{
    for (size_t k = strlen(s); n--; p += k)
        memcpy(p, s, k);
    return p;
}

/* n times open, the value, n times close. */
static char *nested(size_t n, const char *open, const char *value, const char *close)
{
    char *t = malloc(n * (strlen(open) + strlen(close)) + strlen(value) + 1);
    assert_non_null(t);
    *repeat(repeat(repeat(t, open, n), value, 1), close, n) = '\0';
    return t;
}

/* jansson went 2048 levels deep, the tree reader 64: between the two it
 * has nothing to tell (the reader then uses the tree reader's words). */
static void test_depth_is_jansson_s(void **state)
{
    (void)state;
    char msg[160];
    int column;
    char *t = nested(100, "[", "", "]");
    assert_int_equal(told(t, strlen(t), msg, sizeof msg, &column), 0);
    free(t);
    t = nested(2049, "[", "", "]");
    assert_int_equal(told(t, strlen(t), msg, sizeof msg, &column), 1);
    assert_string_equal(msg, "maximum parsing depth reached near '['");
    assert_int_equal(column, 2049);
    free(t);
    t = nested(2048, "{\"a\":", "1", "}");
    assert_int_equal(told(t, strlen(t), msg, sizeof msg, &column), 1);
    assert_string_equal(msg, "maximum parsing depth reached near '1'");
    assert_int_equal(column, 10241);
    free(t);
}

/* A message cut to the caller's buffer, always ended. */
static void test_message_fits_the_buffer(void **state)
{
    (void)state;
    char msg[8];
    int column;
    assert_int_equal(told("hello", 5, msg, sizeof msg, &column), 1);
    assert_string_equal(msg, "'[' or ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_problem_is_told_as_jansson_told_it),
        cmocka_unit_test(test_depth_is_jansson_s),
        cmocka_unit_test(test_message_fits_the_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
