"""loom-run serve under the real openai client: completions and chat (streamed and whole) equal
to `loom-run generate` and to each other, concurrency, errors, disconnects, a load test, metrics
and graceful shutdown.

Usage: test_serve.py --loom-run BIN --model DIR [--backend cpu|gpu] [--serve-args "ARGS"]
       [unittest options]
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error

import openai

from serve_process import ServeProcess, wait_until

ARGS = None
PROMPT = "Once upon a time"
# stories260k's model card: its greedy continuation of PROMPT (30 tokens).
CARD_TEXT = (", there was a little girl named Lily. She loved to play outside in the park. "
             "One day,")
PROMPTS = ["Once upon a time", "The cat sat", "Lily and Tom went", "One day, a big dog",
           "The sun was", "Tim had a red ball", "In the park", "Mom said",
           "There was a little bird", "The car", "Sue liked to", "Ben saw a frog",
           "The tree was tall", "A girl named Amy", "They played", "It was a sunny day"]
LOAD_REQUESTS = 200
LOAD_TOKENS = 8
CHECK_TRACE = pathlib.Path(__file__).resolve().parents[2] / "tools" / "loom-run" / "check-trace.py"
CHATML_STORY = ("<|im_start|>user\nTell me a story.<|im_end|>\n<|im_start|>assistant\n")


def client_for(server, timeout=120.0):
    return openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0,
                         timeout=timeout)


def loom_run(*args):
    return subprocess.run([ARGS.loom_run, *args], check=True, capture_output=True,
                          text=True).stdout


def stream_completion(client, prompt, max_tokens, **kwargs):
    """(text, finish_reason, usage) of a streamed completion read to its end."""
    text, finish, usage = "", None, None
    stream = client.completions.create(model="stories260k", prompt=prompt, max_tokens=max_tokens,
                                       temperature=0, stream=True,
                                       stream_options={"include_usage": True}, **kwargs)
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            text += choice.text
            finish = choice.finish_reason or finish
    return text, finish, usage


class ServeTest(unittest.TestCase):
    server = None

    @classmethod
    def setUpClass(cls):
        cls.server = ServeProcess(ARGS.loom_run, ARGS.model, ARGS.backend,
                                  ["--chat-template", "chatml", "--max-seqs", "32",
                                   "--max-body-bytes", "65536", *ARGS.serve_args.split()])
        cls.client = client_for(cls.server)

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        if code != 0:
            raise AssertionError(f"serve exited {code}:\n" + "".join(cls.server.log))

    def complete(self, prompt, max_tokens, **kwargs):
        return self.client.completions.create(model="stories260k", prompt=prompt,
                                              max_tokens=max_tokens, temperature=0, **kwargs)

    def assertOpenAiError(self, status, body, param, code=None):
        self.assertEqual(set(body["error"]), {"message", "type", "param", "code"}, body)
        self.assertTrue(body["error"]["message"])
        self.assertEqual(body["error"]["param"], param, body)
        if code is not None:
            self.assertEqual(body["error"]["code"], code, body)

    # --- completions --------------------------------------------------------------------

    def test_completion_equals_generate_and_model_card(self):
        generated = loom_run("generate", "--model", ARGS.model, "--prompt", PROMPT,
                             "--max-tokens", "30", "--backend", ARGS.backend)
        self.assertTrue(generated.startswith(PROMPT))
        reference = generated[len(PROMPT):].rstrip("\n")
        self.assertEqual(reference, CARD_TEXT)
        response = self.complete(PROMPT, 30)
        self.assertEqual(response.object, "text_completion")
        self.assertEqual(response.model, "stories260k")
        self.assertEqual(response.choices[0].text, reference)
        self.assertEqual(response.choices[0].finish_reason, "length")
        self.assertEqual((response.usage.prompt_tokens, response.usage.completion_tokens,
                          response.usage.total_tokens), (5, 30, 35))

    def test_streamed_completion_equals_whole(self):
        text, finish, usage = stream_completion(self.client, PROMPT, 30)
        self.assertEqual(text, CARD_TEXT)
        self.assertEqual(finish, "length")
        self.assertEqual((usage.prompt_tokens, usage.completion_tokens), (5, 30))

    def test_token_id_prompt_and_echo(self):
        ids = [1, 403, 407, 261, 378]  # BOS + "Once upon a time"
        self.assertEqual(self.complete(ids, 30).choices[0].text, CARD_TEXT)
        echoed = self.complete(PROMPT, 30, echo=True).choices[0].text
        self.assertEqual(echoed, PROMPT + CARD_TEXT)

    def test_stop_string_cuts_the_text(self):
        response = self.complete(PROMPT, 30, stop=["Lily"])
        self.assertEqual(response.choices[0].text, ", there was a little girl named ")
        self.assertEqual(response.choices[0].finish_reason, "stop")

    def test_seeded_sampling_is_reproducible(self):
        def sample(seed):
            return self.client.completions.create(model="stories260k", prompt=PROMPT,
                                                  max_tokens=20, temperature=0.9, seed=seed,
                                                  extra_body={"ignore_eos": True}
                                                  ).choices[0].text
        first = sample(7)
        self.assertEqual(first, sample(7))
        # Sampling is really on: the seeds do not all give the greedy text.
        greedy = self.complete(PROMPT, 20, extra_body={"ignore_eos": True}).choices[0].text
        self.assertNotEqual({first, sample(8)}, {greedy})

    # --- chat ---------------------------------------------------------------------------

    def test_chat_equals_completion_of_the_rendered_prompt(self):
        messages = [{"role": "user", "content": "Tell me a story."}]
        whole = self.client.chat.completions.create(model="stories260k", messages=messages,
                                                    max_tokens=24, temperature=0)
        self.assertEqual(whole.object, "chat.completion")
        self.assertEqual(whole.choices[0].message.role, "assistant")
        content = whole.choices[0].message.content
        self.assertTrue(content)

        streamed, roles, finish = "", [], None
        for chunk in self.client.chat.completions.create(
                model="stories260k", messages=messages, max_tokens=24, temperature=0,
                stream=True):
            self.assertEqual(chunk.object, "chat.completion.chunk")
            delta = chunk.choices[0].delta
            roles += [delta.role] if delta.role else []
            streamed += delta.content or ""
            finish = chunk.choices[0].finish_reason or finish
        self.assertEqual(streamed, content)
        self.assertEqual(roles, ["assistant"])
        self.assertEqual(finish, whole.choices[0].finish_reason)

        # The chat prompt is the ChatML text without BOS: its ids as a completion prompt.
        ids = json.loads(loom_run("tokenize", "--model", ARGS.model, "--no-special", CHATML_STORY))
        self.assertEqual(whole.usage.prompt_tokens, len(ids))
        reference = self.complete(ids, 24, stop=["<|im_end|>"])
        self.assertEqual(content, reference.choices[0].text)

    # --- models, health -----------------------------------------------------------------

    def test_models_and_health(self):
        models = self.client.models.list()
        self.assertEqual([m.id for m in models.data], ["stories260k"])
        status, body = self.server.get("/health")
        self.assertEqual(status, 200)
        self.assertIn('"status":"ok"', body)

    # --- concurrency --------------------------------------------------------------------

    def test_parallel_streams_equal_solo_outputs(self):
        solo = {p: self.complete(p, 20).choices[0].text for p in PROMPTS}
        with concurrent.futures.ThreadPoolExecutor(len(PROMPTS)) as pool:
            results = list(pool.map(lambda p: stream_completion(self.client, p, 20), PROMPTS))
        for prompt, (text, finish, usage) in zip(PROMPTS, results):
            self.assertEqual(text, solo[prompt], prompt)
            self.assertIsNotNone(finish)

    def test_load_of_concurrent_streams(self):
        prompts = [PROMPTS[i % 8] for i in range(LOAD_REQUESTS)]
        solo = {p: self.complete(p, LOAD_TOKENS, extra_body={"ignore_eos": True})
                for p in set(prompts)}
        client = client_for(self.server)
        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(LOAD_REQUESTS) as pool:
            results = list(pool.map(
                lambda p: stream_completion(client, p, LOAD_TOKENS,
                                            extra_body={"ignore_eos": True}), prompts))
        seconds = time.monotonic() - start
        for prompt, (text, finish, usage) in zip(prompts, results):
            self.assertEqual(text, solo[prompt].choices[0].text, prompt)
            self.assertEqual(finish, "length")
            self.assertEqual(usage.completion_tokens, LOAD_TOKENS)
        self.assertLess(seconds, 90)
        print(f"\nload: {LOAD_REQUESTS} streams of {LOAD_TOKENS} tokens in {seconds:.2f} s",
              file=sys.stderr)

    # --- errors -------------------------------------------------------------------------

    def test_bad_requests_get_openai_errors_while_others_continue(self):
        good = concurrent.futures.ThreadPoolExecutor(1).submit(
            stream_completion, self.client, PROMPT, 30)
        status, body = self.server.post_raw("/v1/completions", b'{"prompt": "Once upon')
        self.assertEqual(status, 400)
        self.assertOpenAiError(status, body, None, "invalid_json")

        with self.assertRaises(openai.BadRequestError) as bad:
            self.client.completions.create(model="stories260k", prompt=PROMPT, temperature=5)
        self.assertEqual(bad.exception.status_code, 400)
        self.assertOpenAiError(400, bad.exception.response.json(), "temperature")

        with self.assertRaises(openai.BadRequestError) as long_prompt:
            self.complete([5] * 600, 4)
        self.assertOpenAiError(400, long_prompt.exception.response.json(), "prompt",
                               "context_length_exceeded")

        with self.assertRaises(openai.BadRequestError) as bad_chat:
            self.client.chat.completions.create(model="stories260k", messages=[], max_tokens=4)
        self.assertOpenAiError(400, bad_chat.exception.response.json(), "messages")

        with self.assertRaises(openai.NotFoundError) as unknown:
            self.client.completions.create(model="gpt-9", prompt=PROMPT)
        self.assertOpenAiError(404, unknown.exception.response.json(), "model",
                               "model_not_found")

        status, body = self.server.post_raw(
            "/v1/completions", ('{"prompt": "' + "a" * 100_000 + '"}').encode())
        self.assertEqual(status, 413)
        self.assertOpenAiError(status, body, None, "request_too_large")

        status, body = self.server.post_raw("/v1/nothing", b"{}")
        self.assertEqual(status, 404)
        self.assertOpenAiError(status, body, None)

        self.assertEqual(good.result(timeout=60)[0], CARD_TEXT)

    # --- disconnects --------------------------------------------------------------------

    def test_disconnect_cancels_and_frees_kv_blocks(self):
        cancelled = 'loom_requests_finished_total{finish_reason="cancelled"}'
        before = self.server.metric(cancelled)
        tokens_before = self.server.metric("loom_generation_tokens_total")
        stream = self.client.completions.create(model="stories260k", prompt=PROMPT,
                                                max_tokens=500, temperature=0, stream=True,
                                                extra_body={"ignore_eos": True})
        for received, _ in enumerate(stream):
            if received == 2:
                break
        stream.close()  # drops the connection mid-stream
        self.assertTrue(wait_until(lambda: self.server.metric(cancelled) == before + 1, 20),
                        "the server did not cancel the abandoned request")
        self.assertTrue(wait_until(lambda: self.server.metric("loom_kv_blocks_used") == 0, 20))
        # It stopped early: far fewer than the 500 tokens asked for were generated.
        self.assertLess(self.server.metric("loom_generation_tokens_total") - tokens_before, 400)

    def test_disconnect_of_a_whole_response_cancels_and_frees_kv_blocks(self):
        cancelled = 'loom_requests_finished_total{finish_reason="cancelled"}'
        before = self.server.metric(cancelled)
        host, port = self.server.url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.request("POST", "/v1/completions", json.dumps(
            {"model": "stories260k", "prompt": PROMPT, "max_tokens": 500, "temperature": 0,
             "ignore_eos": True}), {"Content-Type": "application/json"})
        response = connection.getresponse()  # the headers come with the first token
        self.assertEqual(response.status, 200)
        first = response.read(1)
        if first == b"{":  # the whole response was ready within one keep-alive interval (200 ms)
            self.assertTrue(json.loads(first + response.read())["choices"][0]["text"])
            self.skipTest("generation finished before the first keep-alive (a fast GPU): "
                          "nothing left to cancel")
        self.assertEqual(first, b" ")  # a keep-alive space before the body
        connection.close()  # drops the connection before the body
        self.assertTrue(wait_until(lambda: self.server.metric(cancelled) == before + 1, 20),
                        "the server did not cancel the abandoned request")
        self.assertTrue(wait_until(lambda: self.server.metric("loom_kv_blocks_used") == 0, 20))

    # --- metrics ------------------------------------------------------------------------

    def test_metrics(self):
        shared = "Once upon a time, there was a little girl named Lily. She loved to play " \
                 "outside in the park. One day, she saw a big tree."
        def scrape():
            status, text = self.server.get("/metrics")
            self.assertEqual(status, 200)
            return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
                    for line in text.splitlines() if line and not line.startswith("#")}
        ok = 'loom_http_requests_total{route="/v1/completions",code="200"}'
        start = scrape()
        for _ in range(2):  # the second request reuses the first one's full KV blocks
            self.complete(shared, 4, extra_body={"ignore_eos": True})
        self.complete(PROMPT, 4, extra_body={"ignore_eos": True})
        values = scrape()
        grew = lambda name: values[name] - start.get(name, 0)
        # Exactly what these three requests of 4 tokens add (3 first tokens, 3 x 3 gaps).
        self.assertEqual(grew(ok), 3)
        self.assertEqual(grew("loom_time_to_first_token_seconds_count"), 3)
        self.assertEqual(grew("loom_inter_token_latency_seconds_count"), 9)
        self.assertEqual(values['loom_time_to_first_token_seconds_bucket{le="+Inf"}'],
                         values["loom_time_to_first_token_seconds_count"])
        self.assertEqual(grew("loom_generation_tokens_total"), 12)
        self.assertGreater(values["loom_kv_blocks_total"], 0)
        self.assertEqual(values["loom_kv_blocks_used"], 0)
        self.assertGreaterEqual(values["loom_prefix_cache_hit_tokens_total"], 16)
        self.assertGreater(values["loom_prefix_cache_hit_rate"], 0)
        self.assertLessEqual(values["loom_prefix_cache_hit_rate"], 1)
        for name in ["loom_e2e_request_latency_seconds_sum", "loom_requests_running",
                     "loom_requests_waiting", "loom_kv_cache_usage_ratio",
                     "loom_engine_steps_total", "loom_prompt_tokens_total"]:
            self.assertIn(name, values)


class ShutdownTest(unittest.TestCase):
    def test_sigterm_finishes_in_flight_requests_then_exits_0(self):
        server = ServeProcess(ARGS.loom_run, ARGS.model, ARGS.backend, ARGS.serve_args.split())
        client = client_for(server)
        first_chunk = threading.Event()
        result = {}

        def long_stream():
            text, finish, count = "", None, 0
            for chunk in client.completions.create(
                    model="stories260k", prompt=PROMPT, max_tokens=400, temperature=0,
                    stream=True, stream_options={"include_usage": True},
                    extra_body={"ignore_eos": True}):
                first_chunk.set()
                if chunk.usage is not None:
                    count = chunk.usage.completion_tokens
                for choice in chunk.choices:
                    text += choice.text
                    finish = choice.finish_reason or finish
            result.update(text=text, finish=finish, count=count)

        reader = threading.Thread(target=long_stream)
        reader.start()
        self.assertTrue(first_chunk.wait(60))
        server.process.send_signal(signal.SIGTERM)
        seen = []

        def refused():  # while draining, /health says so; once stopped, nothing answers
            try:
                seen.append(server.get("/health")[0])
                return seen[-1] == 503
            except (urllib.error.URLError, ConnectionError):
                seen.append("stopped")
                return True
        self.assertTrue(wait_until(refused, 30), seen)
        self.assertEqual(set(seen) - {200, 503, "stopped"}, set(), seen)
        print(f"\nshutdown: /health after SIGTERM answered {seen}", file=sys.stderr)
        reader.join(120)
        self.assertEqual(server.process.wait(60), 0, "".join(server.log))
        self.assertEqual((result.get("finish"), result.get("count")), ("length", 400))
        self.assertTrue(result["text"].startswith(CARD_TEXT))


class TraceTest(unittest.TestCase):
    def test_trace_is_written_at_shutdown(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "serve-trace.json")
            server = ServeProcess(ARGS.loom_run, ARGS.model, ARGS.backend,
                                  ["--trace", path, *ARGS.serve_args.split()])
            client = client_for(server)
            options = dict(model="stories260k", prompt=PROMPT, max_tokens=5, temperature=0,
                           extra_body={"ignore_eos": True})
            whole = client.completions.create(**options).choices[0].text
            streamed = "".join(choice.text for chunk in client.completions.create(
                stream=True, **options) for choice in chunk.choices)
            self.assertEqual(streamed, whole)
            self.assertEqual(server.stop(), 0, "".join(server.log))
            # One request after the other: 5 steps each (a prefill, then 4 decodes).
            check = subprocess.run([sys.executable, str(CHECK_TRACE), path, "--requests", "2",
                                    "--tokens", "10", "--steps", "10"],
                                   capture_output=True, text=True)
            self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
            self.assertIn("trace ok: 2 requests, 10 tokens", check.stdout)


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loom-run", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--backend", default="cpu", choices=["cpu", "gpu"])
    parser.add_argument("--serve-args", default="", help="more options for loom-run serve, "
                        "e.g. --batch-invariant")
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
