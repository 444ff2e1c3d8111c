// Result<T> and Status: value-or-error types used across phaseout instead of exceptions.
// Member names follow std::expected so the type can later become an alias.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace phaseout {

// Error kinds map to CLI exit codes: kInvalidArgument and kNotFound are usage errors (2),
// the rest are runtime errors (1).
enum class ErrorCode {
  kInvalidArgument,  // bad user input: malformed target, unknown policy id, bad rule file
  kNotFound,         // a named file, policy or entity does not exist
  kParse,            // untrusted bytes could not be parsed (device reply, CSV line)
  kIo,               // the OS refused: socket, file system
  kTimeout,
  kLimit,            // a configured bound was hit (bytes read, header count)
  kInternal,
};

// An error: a code plus a human-readable message naming the problem.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

inline Error MakeError(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

// Result<T> holds either a T or an Error. Never holds neither.
// Thread-compatible: const access from many threads is safe.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}         // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}     // NOLINT: implicit by design

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  // REQUIRES: has_value().
  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // REQUIRES: !has_value().
  const Error& error() const { assert(!has_value()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Status is a Result with no value: ok, or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design
  static Status Ok() { return Status(); }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  // REQUIRES: !ok().
  const Error& error() const { assert(error_.has_value()); return *error_; }

 private:
  std::optional<Error> error_;
};

}  // namespace phaseout
