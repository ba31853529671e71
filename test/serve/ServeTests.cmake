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
