# Everyday shortcuts; the scripts are the source of truth (CI runs ./scripts/test).
.PHONY: all debug release test demo fuzz bench format clean
all: release
debug:
	./scripts/build debug
release:
	./scripts/build release
test:
	./scripts/test
demo:
	./scripts/demo
fuzz:
	./scripts/build fuzz && ./scripts/netns-run ctest --test-dir build/fuzz -L fuzz --output-on-failure
bench:
	./scripts/bench
format:
	git ls-files '*.h' '*.cc' | xargs clang-format -i
clean:
	rm -rf build
