// Payload text as a one-line, terminal-safe, quoted preview: "hello\n". Nothing the peer sends
// can move the cursor, change colours or reorder the line:
//   \" and \\                       for the quote and the backslash
//   \n \t \r                         for those three controls
//   \xNN                             for other C0 controls, DEL, and bytes that are not UTF-8
//   \uNNNN                           for C1 controls and the bidirectional formatting marks
//                                    (U+200E-200F, U+2028-202E, U+2066-2069)
// Everything else, including non-ASCII UTF-8, is shown as is.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "proto/bytes.hpp"

namespace wscope::present {

struct QuotedText {
    std::size_t bytes_shown = 0;  // how much of data made it between the quotes
    bool truncated = false;       // more text exists than is shown
};

// Appends data to out between double quotes, escaped as above, with at most max_columns
// columns between the quotes (a code point counts 1, an escape its length). partial says that
// data is only the start of a longer payload: a UTF-8 sequence cut by its end is then left
// out rather than shown as bad bytes, and the result counts as truncated.
QuotedText append_quoted(std::string& out, proto::ByteView data, std::size_t max_columns,
                         bool partial = false);
[[nodiscard]] std::string quoted(std::string_view text, std::size_t max_columns = 1024);

// The same escapes without the quotes, for text shown as it is (a received message in the
// REPL, a header value, a URL): quotes and backslashes are kept, and each newline becomes
// `newline` (the REPL indents continuation lines under the "< " mark). Every other control
// byte, C1 control, bidirectional mark and byte that is not UTF-8 is escaped: this is the
// one function that peer-controlled text passes on its way to a terminal.
void append_display_text(std::string& out, proto::ByteView data, std::string_view newline);
// display_text with newlines shown as \n: for one-line fields (headers, names, URLs).
[[nodiscard]] std::string display_text(std::string_view text);

}  // namespace wscope::present
