// Status and StatusOr: how every library layer of Loom reports failure without aborting.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace loom {

/// What kind of failure a Status carries; lets callers branch without parsing text.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument, ///< the caller's input is wrong (bad file, bad parameter)
  kNotFound,        ///< a file, symbol or key does not exist
  kUnavailable,     ///< a needed facility is missing (no CUDA driver, no device)
  kOutOfMemory,     ///< device or host allocation failed
  kCompileError,    ///< NVRTC or the compiler rejected a program
  kCudaError,       ///< a CUDA driver call failed
  kIoError,         ///< reading or writing a file failed
  kInternal,        ///< a broken invariant inside Loom
};

/// Short lowercase name of a code, e.g. "invalid argument".
const char *statusCodeName(StatusCode code);

/// The result of an operation that returns nothing: ok, or a code and a message.
class [[nodiscard]] Status {
public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }

  bool isOk() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return isOk(); }
  StatusCode code() const { return code_; }
  const std::string &message() const { return message_; }

  /// "cuda error: cuModuleLoadData(...) failed: ..." — code name and message.
  std::string toString() const;

  /// Prepends context, e.g. `st.withContext("loading model.safetensors")`.
  Status withContext(const std::string &context) const;

private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

/// A value or the Status that explains why there is none.
template <typename T> class [[nodiscard]] StatusOr {
public:
  StatusOr(T value) : state_(std::move(value)) {}
  StatusOr(Status status) : state_(std::move(status)) {
    assert(!std::get<Status>(state_).isOk() && "StatusOr built from an ok Status");
  }

  bool isOk() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return isOk(); }

  const Status &status() const {
    static const Status okStatus;
    return isOk() ? okStatus : std::get<Status>(state_);
  }
  T &value() & { return std::get<T>(state_); }
  const T &value() const & { return std::get<T>(state_); }
  T &&value() && { return std::get<T>(std::move(state_)); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }
  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }

private:
  std::variant<T, Status> state_;
};

/// Builds a Status that records where it was made: "<message> [in fn at file:line]".
Status makeStatusAt(StatusCode code, const std::string &message,
                    const char *function, const char *file, int line);

} // namespace loom

/// An error Status carrying the calling function, file and line.
#define LOOM_ERROR(code, message)                                              \
  ::loom::makeStatusAt((code), (message), __func__, __FILE__, __LINE__)

/// Returns the Status of `expr` from the enclosing function if it is not ok.
#define LOOM_RETURN_IF_ERROR(expr)                                             \
  do {                                                                         \
    ::loom::Status loomStatus_ = (expr);                                       \
    if (!loomStatus_.isOk())                                                   \
      return loomStatus_;                                                      \
  } while (0)

#define LOOM_CONCAT_INNER_(a, b) a##b
#define LOOM_CONCAT_(a, b) LOOM_CONCAT_INNER_(a, b)

/// `LOOM_ASSIGN_OR_RETURN(auto x, f());` — binds the value or returns the error.
#define LOOM_ASSIGN_OR_RETURN(lhs, expr)                                       \
  LOOM_ASSIGN_OR_RETURN_IMPL_(LOOM_CONCAT_(loomOr_, __LINE__), lhs, expr)
#define LOOM_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)                            \
  auto tmp = (expr);                                                           \
  if (!tmp.isOk())                                                             \
    return tmp.status();                                                       \
  lhs = std::move(tmp).value()
