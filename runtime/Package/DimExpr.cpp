// A recursive-descent parser and evaluator for manifest dim expressions.
#include "runtime/Package/DimExpr.h"

#include <cctype>
#include <set>
#include <fmt/format.h>

namespace loom::rt {

/// One node: a constant, a dim, or an operator applied to two operands.
struct DimExpr::Node {
  enum class Kind { kConstant, kDim, kAdd, kSub, kMul, kCeilDiv, kMin, kMax } kind;
  int64_t value = 0;
  std::string name;
  std::shared_ptr<const Node> lhs, rhs;
};

namespace {

using Node = DimExpr::Node;
using NodePtr = std::shared_ptr<const Node>;

/// The named binary functions, as data.
constexpr std::pair<std::string_view, Node::Kind> kFunctions[] = {
    {"ceildiv", Node::Kind::kCeilDiv}, {"min", Node::Kind::kMin}, {"max", Node::Kind::kMax}};

class Parser {
public:
  explicit Parser(std::string_view text) : text_(text) {}

  StatusOr<NodePtr> parseAll() {
    auto node = parseSum();
    if (node && (skipSpace(), pos_ != text_.size()))
      return fail("unexpected text");
    return node;
  }

private:
  Status fail(std::string_view what) const {
    return LOOM_ERROR(StatusCode::kInvalidArgument, fmt::format("dim expression '{}': {} at position {}", text_, what, pos_));
  }
  void skipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])))
      ++pos_;
  }
  bool accept(char c) {
    skipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  static NodePtr binary(Node::Kind kind, NodePtr lhs, NodePtr rhs) {
    return std::make_shared<Node>(Node{kind, 0, {}, std::move(lhs), std::move(rhs)});
  }

  StatusOr<NodePtr> parseSum() {
    auto lhs = parseProduct();
    while (lhs) {
      Node::Kind kind;
      if (accept('+'))
        kind = Node::Kind::kAdd;
      else if (accept('-'))
        kind = Node::Kind::kSub;
      else
        break;
      auto rhs = parseProduct();
      if (!rhs)
        return rhs;
      lhs = binary(kind, *lhs, *rhs);
    }
    return lhs;
  }

  StatusOr<NodePtr> parseProduct() {
    auto lhs = parseAtom();
    while (lhs && accept('*')) {
      auto rhs = parseAtom();
      if (!rhs)
        return rhs;
      lhs = binary(Node::Kind::kMul, *lhs, *rhs);
    }
    return lhs;
  }

  StatusOr<NodePtr> parseAtom() {
    skipSpace();
    if (accept('(')) {
      auto inner = parseSum();
      if (inner && !accept(')'))
        return fail("expected ')'");
      return inner;
    }
    if (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      int64_t value = 0;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        if (value > (INT64_MAX - 9) / 10)
          return fail("integer too large");
        value = value * 10 + (text_[pos_++] - '0');
      }
      return NodePtr(std::make_shared<Node>(Node{Node::Kind::kConstant, value, {}, nullptr, nullptr}));
    }
    size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
      ++pos_;
    if (start == pos_)
      return fail("expected a number, a dim name or '('");
    std::string name(text_.substr(start, pos_ - start));
    for (auto [function, kind] : kFunctions) {
      if (name != function)
        continue;
      if (!accept('('))
        return fail(fmt::format("expected '(' after {}", name));
      auto a = parseSum();
      if (!a)
        return a;
      if (!accept(','))
        return fail(fmt::format("{} takes two arguments", name));
      auto b = parseSum();
      if (!b)
        return b;
      if (!accept(')'))
        return fail("expected ')'");
      return binary(kind, *a, *b);
    }
    return NodePtr(std::make_shared<Node>(Node{Node::Kind::kDim, 0, std::move(name), nullptr, nullptr}));
  }

  std::string_view text_;
  size_t pos_ = 0;
};

StatusOr<int64_t> evaluateNode(const Node &node, const DimValues &dims, std::string_view text) {
  switch (node.kind) {
  case Node::Kind::kConstant:
    return node.value;
  case Node::Kind::kDim: {
    auto it = dims.find(node.name);
    if (it == dims.end())
      return LOOM_ERROR(StatusCode::kInvalidArgument, fmt::format("dim expression '{}': no value for dim '{}'", text,
                        node.name));
    return it->second;
  }
  default:
    break;
  }
  auto a = evaluateNode(*node.lhs, dims, text);
  if (!a)
    return a;
  auto b = evaluateNode(*node.rhs, dims, text);
  if (!b)
    return b;
  switch (node.kind) {
  case Node::Kind::kAdd:
    return *a + *b;
  case Node::Kind::kSub:
    return *a - *b;
  case Node::Kind::kMul:
    return *a * *b;
  case Node::Kind::kMin:
    return std::min(*a, *b);
  case Node::Kind::kMax:
    return std::max(*a, *b);
  case Node::Kind::kCeilDiv:
    if (*b <= 0)
      return LOOM_ERROR(StatusCode::kInvalidArgument, fmt::format("dim expression '{}': ceildiv by {}", text, *b));
    return (*a + *b - 1) / *b;
  default:
    return LOOM_ERROR(StatusCode::kInternal, fmt::format("dim expression '{}': bad node", text));
  }
}

void collectDims(const Node &node, std::set<std::string> &names) {
  if (node.kind == Node::Kind::kDim)
    names.insert(node.name);
  if (node.lhs)
    collectDims(*node.lhs, names);
  if (node.rhs)
    collectDims(*node.rhs, names);
}

} // namespace

StatusOr<DimExpr> DimExpr::parse(std::string_view text) {
  auto root = Parser(text).parseAll();
  if (!root)
    return root.status();
  return DimExpr(std::string(text), std::move(*root));
}

DimExpr DimExpr::constant(int64_t value) {
  return DimExpr(std::to_string(value),
                 std::make_shared<Node>(Node{Node::Kind::kConstant, value, {}, nullptr, nullptr}));
}

StatusOr<int64_t> DimExpr::evaluate(const DimValues &dims) const {
  return evaluateNode(*root_, dims, text_);
}

std::vector<std::string> DimExpr::dimNames() const {
  std::set<std::string> names;
  collectDims(*root_, names);
  return {names.begin(), names.end()};
}

} // namespace loom::rt
