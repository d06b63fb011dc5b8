/*
 * test_json.c — the tree reader's side for trace tools (lib/core/json.h):
 * lookups that take NULL and wrong types, the compact text of a value (as
 * jansson's compact output writes it, cut to fit like snprintf), the path
 * an error names, duplicate keys in small and large objects, invalid
 * UTF-8, special bytes wherever the word-at-a-time scan meets them, and
 * trees larger than the arena's first block.  The syntax and
 * positions are test_sim_config.c's.
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

/* text parsed, or the test fails with the parser's message. */
static srr_json *parse(const char *text)
{
    srr_parse_error err;
    srr_json *v = srr__json_parse(text, strlen(text), "t", &err);
    if (!v)
        fail_msg("%s: %s", text, err.text);
    return v;
}

/* text refused with code and (unless NULL) field; err for further checks. */
static void refuse(const char *text, int code, const char *field, srr_parse_error *err)
{
    srr_json *v = srr__json_parse(text, strlen(text), "t", err);
    if (v) {
        srr__json_free(v);
        fail_msg("parsed: %s", text);
    }
    if (err->code != code)
        fail_msg("%s: code %d (%s), expected %d", text, err->code, err->text, code);
    if (field && strcmp(err->field, field) != 0)
        fail_msg("%s: field \"%s\", expected \"%s\"", text, err->field, field);
}

static void test_lookups_take_null_and_wrong_types(void **state)
{
    (void)state;
    srr_json *v = parse("{\"i\": -7, \"s\": \"ab\", \"a\": [1, \"x\"], \"t\": true,"
                        " \"f\": false, \"n\": null, \"r\": 1.5}");
    assert_int_equal(srr__json_int(srr__json_get(v, "i")), -7);
    assert_int_equal(srr__json_int(srr__json_get(v, "r")), 0);   /* a real is not an integer */
    assert_int_equal(srr__json_int(srr__json_get(v, "s")), 0);
    assert_int_equal(srr__json_int(srr__json_get(v, "none")), 0);
    assert_null(srr__json_str(srr__json_get(v, "i")));
    assert_int_equal(srr__json_strlen(srr__json_get(v, "i")), 0);
    assert_int_equal(srr__json_size(srr__json_get(v, "a")), 2);
    assert_int_equal(srr__json_size(srr__json_get(v, "s")), 0);
    assert_int_equal(srr__json_int(srr__json_at(srr__json_get(v, "a"), 0)), 1);
    assert_string_equal(srr__json_str(srr__json_at(srr__json_get(v, "a"), 1)), "x");
    assert_null(srr__json_at(srr__json_get(v, "a"), 2));
    assert_null(srr__json_at(v, 0)); /* an object is not an array */
    assert_true(srr__json_is_true(srr__json_get(v, "t")));
    assert_false(srr__json_is_true(srr__json_get(v, "f")));
    assert_false(srr__json_is_true(srr__json_get(v, "i")));
    assert_true(srr__json_is(srr__json_get(v, "n"), SRR_JSON_NULL));
    assert_true(srr__json_is(srr__json_get(v, "r"), SRR_JSON_REAL));
    assert_false(srr__json_is(srr__json_get(v, "none"), SRR_JSON_NULL));
    /* chained lookups through absent members end in the empty answer */
    assert_null(srr__json_get(srr__json_get(v, "none"), "x"));
    assert_null(srr__json_get(srr__json_get(v, "a"), "x"));
    assert_null(srr__json_str(NULL));
    assert_int_equal(srr__json_int(NULL), 0);
    assert_int_equal(srr__json_size(NULL), 0);
    assert_false(srr__json_is_true(NULL));
    assert_null(srr__json_member(NULL, "i"));
    srr__json_free(v);
    srr__json_free(NULL);
}

static void test_string_with_nul_escape_is_refused(void **state)
{
    (void)state;
    srr_parse_error err;
    refuse("{\"s\": \"ab\\u0000\"}", SRR_PARSE_EJSON, "s", &err);
}

/* Only the key spelled exactly matches: a prefix, a longer key, another
 * case do not. */
static void test_get_matches_whole_keys(void **state)
{
    (void)state;
    srr_json *v = parse("{\"sock\": 1, \"so\": 2, \"socks\": [3], \"Sock\": 4, \"\": 5}");
    assert_int_equal(srr__json_int(srr__json_get(v, "sock")), 1);
    assert_int_equal(srr__json_int(srr__json_get(v, "so")), 2);
    assert_int_equal(srr__json_int(srr__json_get(v, "Sock")), 4);
    assert_int_equal(srr__json_int(srr__json_get(v, "")), 5);
    assert_null(srr__json_get(v, "s"));
    assert_null(srr__json_get(v, "sockss"));
    assert_int_equal(srr__json_member(v, "so")->column, 13);
    srr__json_free(v);
}

/* dump of text's value is want (jansson's compact text of the same). */
static void expect_dump(const char *text, const char *want)
{
    srr_json *v = parse(text);
    char buf[256];
    size_t n = srr__json_dump(v, buf, sizeof buf);
    srr__json_free(v);
    if (n != strlen(want) || strcmp(buf, want) != 0)
        fail_msg("dump of %s:\n got      %s (%zu)\n expected %s", text, buf, n, want);
}

static void test_dump_is_compact_in_text_order(void **state)
{
    (void)state;
    expect_dump(" { \"b\" : [ 1 , 2 ] , \"a\" : { } , \"c\" : [ ] } ", "{\"b\":[1,2],\"a\":{},\"c\":[]}");
    expect_dump("[true, false, null, -0, -9223372036854775808]",
                "[true,false,null,0,-9223372036854775808]");
}

static void test_dump_escapes_as_jansson_does(void **state)
{
    (void)state;
    expect_dump("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t\"", "\"q\\\" b\\\\ s/ \\b\\f\\n\\r\\t\"");
    expect_dump("\"\\u0001\\u001f\\u007f\"", "\"\\u0001\\u001F\x7f\"");
    expect_dump("\"\\u00e9\\ud83d\\ude00\"", "\"\xc3\xa9\xf0\x9f\x98\x80\"");
    expect_dump("{\"k\\n\": 1}", "{\"k\\n\":1}");
}

static void test_dump_reals_as_jansson_does(void **state)
{
    (void)state;
    expect_dump("[1.5, 1e2, 1E+5, 1e-5, 0.1, -0.0, 2.5e-300, 1e-400]",
                "[1.5,100.0,100000.0,1.0000000000000001e-5,0.10000000000000001,-0.0,2.5e-300,0.0]");
    expect_dump("[1e300]", "[1.0000000000000001e300]");
}

/* Cut like snprintf: the whole length back, the buffer always ended. */
static void test_dump_cut_to_fit(void **state)
{
    (void)state;
    srr_json *v = parse("{\"data\": \"aGVsbG8gd29ybGQ=\"}");
    char buf[10];
    memset(buf, 'x', sizeof buf);
    assert_int_equal(srr__json_dump(v, buf, sizeof buf), 27);
    assert_string_equal(buf, "{\"data\":\"");
    assert_int_equal(srr__json_dump(v, buf, 1), 27);
    assert_string_equal(buf, "");
    assert_int_equal(srr__json_dump(v, NULL, 0), 27);
    assert_int_equal(srr__json_dump(NULL, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    srr__json_free(v);
}

/* The field names where the parser was: keys and indexes of the open
 * containers, not the ones already closed. */
static void test_error_path_names_the_open_members(void **state)
{
    (void)state;
    srr_parse_error err;
    refuse("{\"a\": {\"b\": [1, 2, {\"c\": tru}]}}", SRR_PARSE_EJSON, "a.b[2].c", &err);
    refuse("{\"a\": {\"b\": [1, 2]}, \"d\" 1}", SRR_PARSE_EJSON, "d", &err);
    refuse("{\"a\": [1, 2] x}", SRR_PARSE_EJSON, "", &err);
    refuse("[[1], [2 3]]", SRR_PARSE_EJSON, "[1]", &err);
    refuse("{\"a\": {\"b\": 1, \"b\": 2}}", SRR_PARSE_EDUPLICATE, "a.b", &err);
}

/* Below and above the count where the check turns from comparing to a
 * hash index: the repeat is found either way, as is its first place. */
static void test_duplicates_in_small_and_large_objects(void **state)
{
    (void)state;
    for (int n = 1; n < 40; n++) {
        char text[1024];
        size_t k = 0;
        k += (size_t)snprintf(text + k, sizeof text - k, "{");
        for (int i = 0; i < n; i++)
            k += (size_t)snprintf(text + k, sizeof text - k, "\"k%d\": %d, ", i, i);
        snprintf(text + k, sizeof text - k, "\"k%d\": 0}", n / 2);
        srr_parse_error err;
        refuse(text, SRR_PARSE_EDUPLICATE, NULL, &err);
        char want[64];
        snprintf(want, sizeof want, "duplicate key \"k%d\"", n / 2);
        if (strncmp(err.text, want, strlen(want)) != 0)
            fail_msg("%d keys: %s", n, err.text);
        /* and without the repeat, every member is there */
        snprintf(text + k, sizeof text - k, "\"last\": 0}");
        srr_json *v = parse(text);
        assert_int_equal(v->u.obj.n, (size_t)n + 1);
        assert_int_equal(srr__json_int(srr__json_get(v, "k0")), 0);
        assert_int_equal(srr__json_int(srr__json_get(v, "last")), 0);
        srr__json_free(v);
    }
}

static void test_invalid_utf8_is_refused_anywhere(void **state)
{
    (void)state;
    srr_parse_error err;
    refuse("{\"op\": \"close\xff\"}", SRR_PARSE_EJSON, "op", &err);
    assert_string_equal(err.text, "not JSON: invalid UTF-8 byte 0xff");
    refuse("{\"\xc3\": 1}", SRR_PARSE_EJSON, NULL, &err);
    refuse("[\"\xed\xa0\x80\"]", SRR_PARSE_EJSON, NULL, &err);
}

/* Strings are scanned eight bytes at a time: a byte that is not plain ASCII
 * (a control byte, '"', '\\', UTF-8) is seen at every place in a word and
 * in the tail after the last whole word. */
static void test_special_bytes_seen_at_every_place(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out; /* the special bytes as written, as read */
        int ok;
    } cases[] = {
        {"\\n", "\n", 1},  {"\\\"", "\"", 1}, {"\xc3\xa9", "\xc3\xa9", 1}, {"\x7f", "\x7f", 1},
        {"\x01", NULL, 0}, {"\x1f", NULL, 0}, {"\xff", NULL, 0},           {"\"x", NULL, 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (int before = 0; before < 20; before++)
            for (int after = 0; after < 12; after += 5) {
                char text[96], want[64];
                snprintf(text, sizeof text, "[\"%.*s%s%.*s\"]", before, "AAAAAAAAAAAAAAAAAAAA",
                         cases[c].in, after, "ZZZZZZZZZZZZ");
                srr_parse_error err;
                srr_json *v = srr__json_parse(text, strlen(text), "t", &err);
                if (!cases[c].ok) {
                    if (v)
                        fail_msg("parsed: %s", text);
                    continue;
                }
                if (!v)
                    fail_msg("%s: %s", text, err.text);
                snprintf(want, sizeof want, "%.*s%s%.*s", before, "AAAAAAAAAAAAAAAAAAAA",
                         cases[c].out, after, "ZZZZZZZZZZZZ");
                assert_string_equal(srr__json_str(srr__json_at(v, 0)), want);
                srr__json_free(v);
            }
}

/* Many values, long strings and deep arrays outgrow the first block of the
 * arena: every value still reads back (an ASan build checks the blocks). */
static void test_tree_larger_than_the_first_block(void **state)
{
    (void)state;
    size_t n = 20000, cap = n * 16 + 100000, k = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    k += (size_t)snprintf(text + k, cap - k, "{\"long\": \"");
    memset(text + k, 'Q', 60000);
    k += 60000;
    k += (size_t)snprintf(text + k, cap - k, "\", \"nums\": [");
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(text + k, cap - k, "%s[%zu]", i ? "," : "", i);
    k += (size_t)snprintf(text + k, cap - k, "]}");
    srr_parse_error err;
    srr_json *v = srr__json_parse(text, k, "t", &err);
    free(text);
    if (!v)
        fail_msg("%s", err.text);
    assert_int_equal(srr__json_strlen(srr__json_get(v, "long")), 60000);
    assert_int_equal(srr__json_str(srr__json_get(v, "long"))[59999], 'Q');
    const srr_json *nums = srr__json_get(v, "nums");
    assert_int_equal(srr__json_size(nums), n);
    for (size_t i = 0; i < n; i += 997)
        assert_int_equal(srr__json_int(srr__json_at(srr__json_at(nums, i), 0)), (int64_t)i);
    srr__json_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookups_take_null_and_wrong_types),
        cmocka_unit_test(test_string_with_nul_escape_is_refused),
        cmocka_unit_test(test_get_matches_whole_keys),
        cmocka_unit_test(test_dump_is_compact_in_text_order),
        cmocka_unit_test(test_dump_escapes_as_jansson_does),
        cmocka_unit_test(test_dump_reals_as_jansson_does),
        cmocka_unit_test(test_dump_cut_to_fit),
        cmocka_unit_test(test_error_path_names_the_open_members),
        cmocka_unit_test(test_duplicates_in_small_and_large_objects),
        cmocka_unit_test(test_invalid_utf8_is_refused_anywhere),
        cmocka_unit_test(test_special_bytes_seen_at_every_place),
        cmocka_unit_test(test_tree_larger_than_the_first_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
