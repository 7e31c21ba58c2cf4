// The catalogue as data: unique ids in order, a rule for every case, the groups of SPEC §2.9,
// and the expectations of the cases the issue names.
#include "check/catalogue.hpp"

#include <doctest/doctest.h>

#include <set>

#include "check/select.hpp"

using namespace wscope;

namespace {

std::vector<check::Case> make() {
    crypto::FixedMaskSource masks({1, 2, 3, 4});
    return check::catalogue(masks);
}

}  // namespace

TEST_CASE("every case has a unique id, a known group, a title, a rule and an evaluator") {
    const auto all = make();
    std::set<std::string> ids, group_names;
    for (const auto& g : check::groups()) group_names.insert(std::string(g.name));
    for (const auto& c : all) {
        CAPTURE(c.id);
        CHECK(ids.insert(c.id).second);
        CHECK(group_names.count(c.group) == 1);
        CHECK(!c.title.empty());
        CHECK(c.rule.rfind("RFC 6455 §", 0) == 0);
        CHECK(static_cast<bool>(c.evaluate));
        // The id starts with its group's number.
        for (const auto& g : check::groups())
            if (g.name == c.group) CHECK(c.id.rfind(std::string(g.number) + ".", 0) == 0);
    }
    CHECK(all.size() > 140);
}

TEST_CASE("the framing cases cover every length boundary, and need an echo") {
    const auto all = make();
    for (const char* len : {"0 bytes", "125 bytes", "126 bytes", "127 bytes", "65535 bytes", "65536 bytes"}) {
        int found = 0;
        for (const auto& c : all)
            if (c.group == "framing" && c.title.find(std::string(" ") + len) != std::string::npos) {
                ++found;
                CHECK(c.needs_echo);
            }
        CAPTURE(len);
        CHECK(found == 2);  // text and binary
    }
}

TEST_CASE("violation cases need no echo, so --no-echo keeps them") {
    for (const auto& c : make())
        if (c.group == "reserved" || c.group == "masking" || c.id.rfind("6.3.", 0) == 0 ||
            c.id.rfind("6.4.", 0) == 0 || c.id.rfind("7.3.", 0) == 0 || c.group == "handshake") {
            CAPTURE(c.id);
            if (c.id != "8.2.1") CHECK(!c.needs_echo);
        }
}

TEST_CASE("--only selects by id, prefix and group") {
    const auto all = make();
    const auto count = [&](const char* only) {
        check::Selection s;
        REQUIRE(check::parse_selection(only, s).empty());
        std::size_t n = 0;
        for (const auto& c : all) n += check::selected(c, s) ? 1 : 0;
        return n;
    };
    CHECK(count("7.3.2") == 1);
    CHECK(count("1.2.1") == 1);  // not 1.2.10
    CHECK(count("6.*") == count("utf8"));
    CHECK(count("6.3") == count("6.3.*"));
    CHECK(count("6.*,7.3.2") == count("utf8") + 1);
    CHECK(count("*") == all.size());
    check::Selection s;
    CHECK(!check::parse_selection("6.*,,7", s).empty());
}

namespace {
// The man page prose, as docgen compiles it in.
const char* const man_page_text =
#include "../../man/wscope.1.in"
    ;
}  // namespace

TEST_CASE("the man page's CHECK section lists every case id with its RFC section") {
    const std::string man = man_page_text;
    for (const auto& c : make()) {
        const std::string section = c.rule.substr(std::string("RFC 6455 §").size());
        CAPTURE(c.id);
        CHECK(man.find("\n" + c.id + "|") != std::string::npos);
        CHECK(man.find("|\\(sc" + section + "\n", man.find("\n" + c.id + "|")) != std::string::npos);
    }
}
