# pcmlab - one hand-written Makefile.  `make help` lists targets and switches.
#
# Switches (make VAR=1):
#   DEBUG=1     -O0, no inlining, for gdb
#   SANITIZE=1  AddressSanitizer + UBSan
#   NATIVE=1    -march=native (opt-in: valgrind and other machines choke on it)
#   CUDA=0/1    build the CUDA backend (default: 1 when nvcc is found)
#   THREADS=N   OpenMP threads for tests/bench (default: machine)

CC         ?= cc
PKG_CONFIG ?= pkg-config
BUILD      ?= build
NVCC       ?= $(shell command -v nvcc 2>/dev/null)
ifeq ($(NVCC),)
CUDA       ?= 0
else
CUDA       ?= 1
endif

OPT        := -O2
ifeq ($(DEBUG),1)
OPT        := -O0 -fno-inline
endif
WARN       := -Wall -Wextra -Wno-unused-parameter
CFLAGS_BASE = -std=c11 $(OPT) -g $(WARN) -D_GNU_SOURCE -fopenmp -MMD -MP
ifeq ($(SANITIZE),1)
CFLAGS_BASE += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS     += -fsanitize=address,undefined
endif
ifeq ($(NATIVE),1)
CFLAGS_BASE += -march=native
endif
# The build stamp (commit, "-dirty" with uncommitted changes) lives in $(BUILD)/stamp.h, rewritten
# only when it changes, so the objects that print it are rebuilt exactly then (a -D flag was not
# tracked: validation reports named the commit their object happened to be compiled at).
STAMP      := $(shell git describe --always --dirty 2>/dev/null || echo nogit)
$(shell mkdir -p $(BUILD) && printf '#define PCM_BUILD_STAMP "%s"\n' '$(STAMP)' > $(BUILD)/stamp.h.new && \
  { cmp -s $(BUILD)/stamp.h.new $(BUILD)/stamp.h || mv $(BUILD)/stamp.h.new $(BUILD)/stamp.h; }; rm -f $(BUILD)/stamp.h.new)
CFLAGS_BASE += -I$(BUILD)

CORE_PKGS  := yaml-0.1 libconfig lapacke
UI_PKGS    := ncursesw sdl2 epoxy
CORE_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(CORE_PKGS) 2>/dev/null)
CORE_LIBS   := $(shell $(PKG_CONFIG) --libs $(CORE_PKGS) 2>/dev/null) -llapack -lblas -lpthread -lm
UI_CFLAGS   := $(shell $(PKG_CONFIG) --cflags $(UI_PKGS) 2>/dev/null) -I/usr/include/stb
UI_LIBS     := $(shell $(PKG_CONFIG) --libs $(UI_PKGS) 2>/dev/null) -lpng

SRC        := $(wildcard src/*.c)
UI_SRC     := $(wildcard ui/*.c) $(wildcard render/*.c)
CU_SRC     := $(wildcard src/*.cu)
OBJ        := $(SRC:%.c=$(BUILD)/%.o)
UI_OBJ     := $(UI_SRC:%.c=$(BUILD)/%.o)
LIB        := $(BUILD)/libpcmlab.a
BIN        := $(BUILD)/pcmlab

ifeq ($(CUDA),1)
ifeq ($(NVCC),)
$(error CUDA=1 but nvcc was not found (set NVCC=/path/to/nvcc or use CUDA=0))
endif
CUDA_HOME  ?= $(abspath $(dir $(NVCC))..)
CU_OBJ     := $(CU_SRC:%.cu=$(BUILD)/%.cu.o)
CUDA_LIBS  := -L$(CUDA_HOME)/lib64 -Wl,-rpath,$(CUDA_HOME)/lib64 -lcudart -lstdc++
CFLAGS_BASE += -DPCM_HAVE_CUDA=1
NVCCFLAGS  ?= -O3 -std=c++17 -DPCM_HAVE_CUDA=1 -Xcompiler -Wall,-Wextra,-Wno-unused-parameter,-Werror,-fPIC,-fopenmp \
              -Werror all-warnings \
              -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 \
              -gencode arch=compute_90,code=compute_90
else
CU_OBJ     :=
CUDA_LIBS  :=
endif

TEST_SRC   := $(wildcard tests/test_*.c)
TEST_BIN   := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

.PHONY: all help run test bench deps deps-dft clean check-deps tools
all: $(BIN) $(TEST_BIN)

help:
	@echo "make            build $(BIN) and the tests"
	@echo "make run        install missing Debian packages (root/sudo), build, start the workbench"
	@echo "make test       build and run the whole test suite (unit + end-to-end)"
	@echo "make bench      print speed figures (us/atom-step, memory per atom)"
	@echo "make deps       install the Debian packages for build, run and test"
	@echo "make deps-dft   install CP2K for DFT labelling (pcmlab label)"
	@echo "switches: DEBUG=1 SANITIZE=1 NATIVE=1 CUDA=0|1 THREADS=N"

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(CORE_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/ui/%.o: ui/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(UI_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/render/%.o: render/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(UI_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/src/%.cu.o: src/%.cu
	@mkdir -p $(dir $@)
	$(NVCC) $(NVCCFLAGS) -Isrc -c $< -o $@

# the MD step and list build round exactly as the host (no FMA contraction): same lists as nl_build
$(BUILD)/src/md_cuda.cu.o: NVCCFLAGS += -fmad=false

$(LIB): $(OBJ) $(CU_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(UI_OBJ) $(LIB)
	$(CC) $(CFLAGS_BASE) $(LDFLAGS) $(UI_OBJ) $(LIB) $(UI_LIBS) $(CORE_LIBS) $(CUDA_LIBS) -o $@

$(BUILD)/tests/%: tests/%.c $(LIB) tests/testutil.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(CORE_CFLAGS) $(CFLAGS) -Isrc $< $(LIB) $(LDFLAGS) -lcmocka $(CORE_LIBS) $(CUDA_LIBS) -o $@

# ------------------------------------------------------------------ running
run: deps $(BIN)
	./$(BIN)

test: $(BIN) $(TEST_BIN)
	@bash tests/run_tests.sh $(BUILD)

bench: $(BIN) $(BUILD)/bench_ace $(BUILD)/bench_gpu
	@bash tests/bench.sh $(BUILD)

# ACE speed benchmark (not a test: not named test_*)
$(BUILD)/bench_ace: tests/bench_ace.c $(LIB)
	$(CC) $(CFLAGS_BASE) $(CORE_CFLAGS) $(CFLAGS) -Isrc $< $(LIB) $(LDFLAGS) $(CORE_LIBS) $(CUDA_LIBS) -o $@

# CUDA backend speed (prints "GPU: none (reason)" without a GPU)
$(BUILD)/bench_gpu: tests/bench_gpu.c $(LIB)
	$(CC) $(CFLAGS_BASE) $(CORE_CFLAGS) $(CFLAGS) -Isrc $< $(LIB) $(LDFLAGS) $(CORE_LIBS) $(CUDA_LIBS) -o $@

# ------------------------------------------------------------------ packages
DEBS := build-essential pkg-config libncurses-dev libsdl2-dev libepoxy-dev libegl-dev libgl-dev \
        libgl1-mesa-dri libegl-mesa0 libconfig-dev libcmocka-dev libstb-dev libpng-dev libyaml-dev \
        liblapacke-dev xvfb xauth tmux ffmpeg imagemagick gnuplot-nox
DFT_DEBS := cp2k cp2k-data openmpi-bin libopenblas0-pthread

deps:
	@bash tests/install_debs.sh $(DEBS)

deps-dft:
	@bash tests/install_debs.sh $(DFT_DEBS)

clean:
	rm -rf $(BUILD)

-include $(OBJ:.o=.d) $(UI_OBJ:.o=.d) $(TEST_BIN:=.d)
