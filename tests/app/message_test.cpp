// printable: the last layer every error message passes through.
#include <gtest/gtest.h>

#include "app/message.hpp"

namespace siv::app {
namespace {

TEST(Message, EscapesControlAndInvalidBytesKeepsUtf8) {
  EXPECT_EQ(printable("plain text, 1.5"), "plain text, 1.5");
  EXPECT_EQ(printable(std::string("a\x01\x1b[m\x7f\n\t", 8)), "a\\x01\\x1B[m\\x7F\\x0A\\x09");
  EXPECT_EQ(printable(std::string("x\0y", 3)), "x\\x00y");
  EXPECT_EQ(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  // Lone continuation, truncated sequence, overlong, surrogate, beyond U+10FFFF.
  EXPECT_EQ(printable("\x80"), "\\x80");
  EXPECT_EQ(printable("\xc3"), "\\xC3");
  EXPECT_EQ(printable("\xe2\x82"), "\\xE2\\x82");
  EXPECT_EQ(printable("\xc0\xaf"), "\\xC0\\xAF");
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xED\\xA0\\x80");
  EXPECT_EQ(printable("\xf4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80");
}

TEST(Message, LongMessagesKeepTheirStartAndEnd) {
  const std::string text = "file.csv:7: column 2: '" + std::string(10000, 'z') + "' is not a number";
  const std::string out = printable(text, 600);
  EXPECT_LT(out.size(), 700u);
  EXPECT_EQ(out.rfind("file.csv:7: column 2: 'zz", 0), 0u) << out;
  EXPECT_TRUE(out.ends_with("zz' is not a number")) << out;
  EXPECT_NE(out.find(" characters omitted ...] "), std::string::npos) << out;
  // Escapes are never cut in half.
  const std::string escaped = printable(std::string(2000, '\x01'), 100);
  EXPECT_EQ(escaped.find("\\x01 ["), 65u * 4) << escaped;  // the 66th escape ends the head
  EXPECT_EQ(printable(std::string(600, 'a'), 600), std::string(600, 'a'));
}

}  // namespace
}  // namespace siv::app
