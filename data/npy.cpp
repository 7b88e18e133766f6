#include "data/npy.hpp"

#include <cctype>
#include <charconv>

#include "data/bytes.hpp"
#include "data/input_error.hpp"

namespace siv::data {
namespace {

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw InputError(name + ": " + what);
}

// The header is a Python dict literal: {'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& name) : s_(text), name_(name) {}

  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool accept(char c) {
    skip();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void expect(char c, const char* where) {
    if (!accept(c)) bad(std::string("expected '") + c + "' " + where);
  }
  std::string string() {
    skip();
    if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"')) bad("expected a quoted string");
    const char quote = s_[i_++];
    const auto end = s_.find(quote, i_);
    if (end == std::string_view::npos) bad("unterminated string");
    std::string out(s_.substr(i_, end - i_));
    i_ = end + 1;
    return out;
  }
  bool boolean() {
    skip();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}})
      if (s_.substr(i_).starts_with(word)) {
        i_ += std::string_view(word).size();
        return value;
      }
    bad("fortran_order must be True or False");
  }
  std::vector<long> shape() {
    expect('(', "to open the shape");
    std::vector<long> dims;
    while (!accept(')')) {
      skip();
      long v = 0;
      const auto [end, ec] = std::from_chars(s_.data() + i_, s_.data() + s_.size(), v);
      if (ec != std::errc() || v < 0) bad("shape entries must be integers >= 0");
      i_ = static_cast<std::size_t>(end - s_.data());
      dims.push_back(v);
      if (!accept(',')) {
        expect(')', "to close the shape");
        break;
      }
    }
    return dims;
  }
  [[noreturn]] void bad(const std::string& what) const {
    fail(name_, "bad NPY header (" + what + " at character " + std::to_string(i_) + ")");
  }

 private:
  std::string_view s_;
  const std::string& name_;
  std::size_t i_ = 0;
};

std::string dims_text(const std::vector<long>& dims) {
  std::string out = "(";
  for (std::size_t k = 0; k < dims.size(); ++k) out += (k ? ", " : "") + std::to_string(dims[k]);
  return out + (dims.size() == 1 ? ",)" : ")");
}

}  // namespace

Table parse_npy(std::shared_ptr<const std::string> owned, const std::string& name) {
  const std::string_view bytes = *owned;
  if (!bytes.starts_with(kNpyMagic))
    fail(name, "not an NPY file (wrong magic: expected \\x93NUMPY)");
  if (bytes.size() < 10) fail(name, "truncated NPY header");
  const int major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_len = 0, start = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8;
    start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail(name, "truncated NPY header");
    for (int b = 3; b >= 0; --b) header_len = header_len << 8 | static_cast<unsigned char>(bytes[8 + b]);
    start = 12;
  } else {
    fail(name, "NPY format version " + std::to_string(major) + " is not supported (1, 2, 3)");
  }
  if (header_len > bytes.size() - start)
    fail(name, "truncated NPY header: it declares " + std::to_string(header_len) + " bytes, " +
                   std::to_string(bytes.size() - start) + " follow");
  HeaderParser p(bytes.substr(start, header_len), name);
  std::string descr;
  std::vector<long> shape;
  bool fortran = false, has_descr = false, has_shape = false, has_order = false;
  p.expect('{', "at the start of the header");
  while (!p.accept('}')) {
    const std::string key = p.string();
    p.expect(':', "after a key");
    if (key == "descr") {
      descr = p.string();
      has_descr = true;
    } else if (key == "fortran_order") {
      fortran = p.boolean();
      has_order = true;
    } else if (key == "shape") {
      shape = p.shape();
      has_shape = true;
    } else {
      p.bad("unknown key '" + key + "'");
    }
    if (!p.accept(',')) {
      p.expect('}', "to close the header");
      break;
    }
  }
  if (!has_descr || !has_shape || !has_order)
    fail(name, "bad NPY header (it needs descr, fortran_order and shape)");

  Table t;
  t.name = name;
  t.fortran = fortran;
  t.offset = start + header_len;
  if (descr == "<f8" || descr == ">f8") t.dtype = Dtype::f64;
  else if (descr == "<f4" || descr == ">f4") t.dtype = Dtype::f32;
  else if (descr == "|u1" || descr == "<u1" || descr == ">u1") t.dtype = Dtype::u8;
  else fail(name, "NPY dtype '" + descr + "' is not supported (float32 '<f4', float64 '<f8', uint8 '|u1')");
  t.big_endian = descr[0] == '>';
  if (shape.empty()) fail(name, "NPY array is 0-dimensional: the first axis must index points");
  std::size_t count = 1;
  for (long v : shape) {
    if (v == 0) fail(name, "NPY array of shape " + dims_text(shape) + " holds no values");
    if (count > kMaxValues / static_cast<std::size_t>(v))
      fail(name, "NPY array of shape " + dims_text(shape) + " has more than the limit of " +
                     std::to_string(kMaxValues) + " values");
    count *= static_cast<std::size_t>(v);
  }
  adopt_payload(t, std::move(owned), shape, count, dims_text(shape));
  return t;
}

}  // namespace siv::data
