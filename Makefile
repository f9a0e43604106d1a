# The pipeline, declared once: every stage is one `aicities` verb, with the files it reads
# and the files it writes (README "The pipeline"). No stage writes its own inputs.
#
#   make              rerun the stages whose inputs changed, in order (clean → … → benchmark)
#   make main         what scripts/main runs (with --always-make: every stage, as on a fresh
#                     machine): check the clean corpus, validate the gold, build the release,
#                     run the benchmark, print the corpus stats
#   make check        every reproducibility check; writes nothing (scripts/test runs it)
#   make -n TARGET    the verbs TARGET would run, in order, without running them
#   make print-VAR    a variable's value (e.g. make print-RELEASE_OUT)
#
# Every stage is deterministic, so rerunning one on unchanged inputs rewrites its committed
# outputs byte for byte; the --check verbs prove it. Writers take the checkout's lock
# themselves: do not run stages with -j (they would wait for each other anyway).

AICITIES ?= .venv/bin/aicities
SHELL := /bin/sh
.SUFFIXES:
.NOTPARALLEL:
# No .DELETE_ON_ERROR: the verbs are transactions (a failed one changes nothing), and make
# must never delete a committed output.

DOC_IDS := $(patsubst corpus/raw/%.txt,%,$(sort $(wildcard corpus/raw/*.txt)))

# --- clean: raw → clean text, documents.jsonl, segments.jsonl -----------------------------
CLEAN_IN := $(DOC_IDS:%=corpus/raw/%.txt) corpus/sites.yaml corpus/sources.yaml \
    corpus/corrections.jsonl
CLEAN_OUT := $(DOC_IDS:%=corpus/clean/%.txt) corpus/documents.jsonl corpus/segments.jsonl

# --- preannotate: the rules pass (gazetteer + figure patterns) ------------------------------
RULES_IN := corpus/documents.jsonl corpus/segments.jsonl annotations/schema.yaml \
    annotations/gazetteer.yaml
RULES_OUT := $(DOC_IDS:%=annotations/passes/rules/%.jsonl)
# the fact layer's rules pass, over the gold figures and the canonical entities
FACT_RULES_IN := $(DOC_IDS:%=annotations/spans/%.jsonl) annotations/entities.yaml \
    corpus/segments.jsonl
FACT_RULES_OUT := $(DOC_IDS:%=annotations/passes/rules/facts/%.jsonl)

# --- agreement: the blind pass against the first pass ---------------------------------------
PASSES := $(sort $(filter-out %/facts,$(wildcard annotations/passes/first/* \
    annotations/passes/blind/*)) $(wildcard annotations/passes/first/facts/*.jsonl \
    annotations/passes/blind/facts/*.jsonl))
AGREEMENT_IN := $(PASSES) annotations/schema.yaml corpus/segments.jsonl
AGREEMENT_OUT := annotations/agreement.json

# --- ls config: the Label Studio labelling config from the schema ---------------------------
LSCONFIG_IN := annotations/schema.yaml
LSCONFIG_OUT := annotations/labelstudio/config.xml

# --- the gold (edited by hand or merged from Label Studio; validate checks it) -------------
GOLD := annotations/schema.yaml annotations/exceptions.yaml annotations/paragraphs.jsonl \
    $(sort $(wildcard annotations/spans/*.jsonl)) annotations/entities.yaml \
    $(sort $(wildcard annotations/facts/*.jsonl))

# --- build: release/ (data of every config, card, croissant, schema, charts) + DATASHEET.md
CONFIG_SPLITS := $(foreach c,ner figures city topic facts,$(foreach s,train validation test,$(c)/$(s))) \
    documents/corpus entities/corpus
BUILD_IN := $(CLEAN_OUT) $(GOLD) tasks/splits.json $(RULES_OUT) $(FACT_RULES_OUT) $(PASSES) $(AGREEMENT_OUT) \
    pyproject.toml CHANGELOG.md
RELEASE_OUT := release/README.md release/LICENSE.md release/croissant.json release/schema.json \
    release/charts/label_counts_per_split.png release/charts/paragraph_labels_per_article.png \
    release/charts/facts_per_city_and_status.png \
    $(CONFIG_SPLITS:%=release/data/%.jsonl)
BUILD_OUT := $(RELEASE_OUT) DATASHEET.md

# --- benchmark: every baseline, both protocols → the leaderboard ----------------------------
BENCHMARK_IN := $(CLEAN_OUT) $(GOLD) tasks/splits.json tasks/label_maps.yaml \
    tasks/city/gazetteer.yaml tasks/topic/keywords.yaml pyproject.toml \
    $(sort $(wildcard tasks/external/*/*.* tasks/external/*/lodo/* tasks/submissions/*/*.* \
    tasks/submissions/*/lodo/*))
BENCHMARK_OUT := tasks/LEADERBOARD.md tasks/leaderboard.json tasks/charts/ner_per_label_f1.png \
    tasks/charts/city_confusion.png

.PHONY: all main check check-clean validate stats

all: $(BUILD_OUT) $(BENCHMARK_OUT) $(LSCONFIG_OUT)

# Each stage's recipe is attached to its first output; the other outputs are made with it
# (an empty recipe). Not grouped targets (`&:`): GNU make 4.3's `make -n` does not carry a
# grouped target's update on to the stages after it.
first = $(firstword $(1))
rest = $(wordlist 2,$(words $(1)),$(1))

$(call first,$(CLEAN_OUT)): $(CLEAN_IN)
	$(AICITIES) clean
$(call rest,$(CLEAN_OUT)): $(call first,$(CLEAN_OUT)) ;

$(call first,$(RULES_OUT)): $(RULES_IN)
	$(AICITIES) preannotate
$(call rest,$(RULES_OUT)): $(call first,$(RULES_OUT)) ;
$(call first,$(FACT_RULES_OUT)): $(FACT_RULES_IN)
	$(AICITIES) preannotate --facts
$(call rest,$(FACT_RULES_OUT)): $(call first,$(FACT_RULES_OUT)) ;

$(AGREEMENT_OUT): $(AGREEMENT_IN)
	$(AICITIES) agreement

$(LSCONFIG_OUT): $(LSCONFIG_IN)
	$(AICITIES) ls config

$(call first,$(BUILD_OUT)): $(BUILD_IN)
	$(AICITIES) build
$(call rest,$(BUILD_OUT)): $(call first,$(BUILD_OUT)) ;

$(call first,$(BENCHMARK_OUT)): $(BENCHMARK_IN)
	$(AICITIES) benchmark
$(call rest,$(BENCHMARK_OUT)): $(call first,$(BENCHMARK_OUT)) ;

# Readers: they write nothing, so they always run.
check-clean:
	$(AICITIES) clean --check

validate:
	$(AICITIES) validate

stats:
	$(AICITIES) stats

# scripts/main. Prerequisites run left to right, in the README's order: the clean corpus is
# checked before any stage could rewrite it, the gold is validated before the build.
main: check-clean $(CLEAN_OUT) $(RULES_OUT) $(FACT_RULES_OUT) $(AGREEMENT_OUT) validate $(BUILD_OUT) \
    $(BENCHMARK_OUT) stats

check:
	$(AICITIES) clean --check
	$(AICITIES) agreement --check
	$(AICITIES) ls config --check
	$(AICITIES) validate
	$(AICITIES) build --check
	$(AICITIES) benchmark --check

print-%:
	@echo $($*)
