// Chat formats: ChatML and Llama 3 rendering, detection from Jinja text and families.
#include "frontend/Readers/ChatTemplate.h"

#include <gtest/gtest.h>

namespace loom::frontend {
namespace {

/// SmolLM2-Instruct's tokenizer.chat_template, as stored in its GGUF.
constexpr std::string_view kSmolLm2Jinja =
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging "
    "Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + "
    "message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|im_start|>assistant\n' }}{% endif %}";

TEST(ChatTemplateTest, ChatMlRendersTurnsAndGenerationPrompt) {
  StatusOr<ChatTemplate> chat = ChatTemplate::named("chatml");
  ASSERT_TRUE(chat.isOk()) << chat.status().toString();
  std::vector<ChatMessage> messages = {
      {"system", "Be brief."}, {"user", "Hi!"}, {"assistant", "Hello."}, {"user", " Why? "}};
  EXPECT_EQ(chat->render(messages),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n"
            "<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\n Why? <|im_end|>\n"
            "<|im_start|>assistant\n");
  EXPECT_EQ(chat->render(messages, false).substr(chat->render(messages, false).size() - 11),
            "<|im_end|>\n");
  EXPECT_EQ(chat->endOfTurn(), "<|im_end|>");
  EXPECT_EQ(chat->render({}), "<|im_start|>assistant\n");
}

TEST(ChatTemplateTest, Llama3TrimsContentAndStartsWithBeginOfText) {
  StatusOr<ChatTemplate> chat = ChatTemplate::named("llama3");
  ASSERT_TRUE(chat.isOk()) << chat.status().toString();
  std::vector<ChatMessage> messages = {{"user", "  Hi!\n"}};
  EXPECT_EQ(chat->render(messages),
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
  EXPECT_EQ(chat->endOfTurn(), "<|eot_id|>");
}

TEST(ChatTemplateTest, SmolLm2JinjaIsChatMlWithItsDefaultSystemPrompt) {
  StatusOr<ChatTemplate> chat = ChatTemplate::fromJinja(kSmolLm2Jinja);
  ASSERT_TRUE(chat.isOk()) << chat.status().toString();
  EXPECT_EQ(chat->name(), "chatml");
  EXPECT_EQ(chat->defaultSystemPrompt(),
            "You are a helpful AI assistant named SmolLM, trained by Hugging Face");
  std::vector<ChatMessage> user = {{"user", "What is 2+2?"}};
  EXPECT_EQ(chat->render(user),
            "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging "
            "Face<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n");
  std::vector<ChatMessage> withSystem = {{"system", "Be terse."}, {"user", "Hi"}};
  EXPECT_EQ(chat->render(withSystem),
            "<|im_start|>system\nBe terse.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST(ChatTemplateTest, EscapedNewlinesAndTemplatedSystemPrompts) {
  StatusOr<ChatTemplate> escaped = ChatTemplate::fromJinja(
      "{{ '<|im_start|>system\\nYou are Qwen.<|im_end|>\\n' }}{{ '<|im_start|>' }}");
  ASSERT_TRUE(escaped.isOk()) << escaped.status().toString();
  EXPECT_EQ(escaped->defaultSystemPrompt(), "You are Qwen.");
  StatusOr<ChatTemplate> templated = ChatTemplate::fromJinja(
      "{{ '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>' }}");
  ASSERT_TRUE(templated.isOk()) << templated.status().toString();
  EXPECT_EQ(templated->defaultSystemPrompt(), "");
}

TEST(ChatTemplateTest, ChoosesByFamily) {
  EXPECT_EQ(ChatTemplate::forFamily("smollm2")->name(), "chatml");
  EXPECT_EQ(ChatTemplate::forFamily("Qwen2.5")->name(), "chatml");
  EXPECT_EQ(ChatTemplate::forFamily("Meta-Llama-3.1")->name(), "llama3");
}

TEST(ChatTemplateTest, UnknownTemplatesAreErrors) {
  StatusOr<ChatTemplate> jinja = ChatTemplate::fromJinja("{{ bos_token }}[INST] {{ m }} [/INST]");
  ASSERT_FALSE(jinja.isOk());
  EXPECT_NE(jinja.status().message().find("unrecognized chat template"), std::string::npos);
  StatusOr<ChatTemplate> family = ChatTemplate::forFamily("stories");
  ASSERT_FALSE(family.isOk());
  EXPECT_NE(family.status().message().find("no chat format is known for model family "
                                           "'stories'"),
            std::string::npos);
  EXPECT_FALSE(ChatTemplate::named("vicuna").isOk());
}

} // namespace
} // namespace loom::frontend
