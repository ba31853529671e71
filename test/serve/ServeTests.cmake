# loom-run serve under the real openai Python client (test/serve/test_serve.py) on the cpu
# backend with stories260k. tools/install-deps.sh makes the venv holding the client.
if(DEFINED ENV{LOOM_VENV})
  set(LOOM_VENV_DEFAULT "$ENV{LOOM_VENV}")
else()
  set(LOOM_VENV_DEFAULT "$ENV{HOME}/.cache/loom/venv")
endif()
set(LOOM_TEST_PYTHON "${LOOM_VENV_DEFAULT}/bin/python" CACHE FILEPATH
    "A Python with the openai client (tools/install-deps.sh makes it)")
add_test(NAME loom-run-serve-openai-cpu
  COMMAND ${LOOM_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/test_serve.py
          --loom-run $<TARGET_FILE:loom-run> --model ${LOOM_SHARED_DIR}/models/stories260k
          --backend cpu)
set_tests_properties(loom-run-serve-openai-cpu PROPERTIES LABELS unit TIMEOUT 300
  ENVIRONMENT "PYTHONUNBUFFERED=1")

# Bad command lines: exit status 1 and a message naming the problem. Each row: name, arguments,
# message.
set(LOOM_SERVE_BAD_INPUT
  "no-model|serve --port 0|missing --model DIR"
  "bad-chat-template|serve --model ${LOOM_SHARED_DIR}/models/stories260k --chat-template vicuna|'vicuna' is not one of chatml, llama3"
  "bad-port|serve --model ${LOOM_SHARED_DIR}/models/stories260k --port 70000|--port: 70000 is outside"
  "cannot-bind|serve --model ${LOOM_SHARED_DIR}/models/stories260k --host 256.0.0.1 --port 8000|cannot listen on 256.0.0.1:8000")
foreach(row IN LISTS LOOM_SERVE_BAD_INPUT)
  string(REPLACE "|" ";" fields "${row}")
  list(GET fields 0 name)
  list(GET fields 1 arguments)
  list(GET fields 2 message)
  add_test(NAME loom-run-serve-${name}
    COMMAND sh -c "$<TARGET_FILE:loom-run> ${arguments} 2>&1; test $? -eq 1 && echo exit-1")
  set_tests_properties(loom-run-serve-${name} PROPERTIES LABELS unit
    PASS_REGULAR_EXPRESSION "${message}.*exit-1")
endforeach()
