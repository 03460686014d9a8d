# bindings/ocaml/ocaml.mk -- the OCaml package (included by the Makefile).
#   make ocaml        build it (dune), with libpith.a and the headers copied in
#   make test-ocaml   its tests (part of make test)
# Needs ocaml, ocaml-dune, libctypes-ocaml-dev (tools/test-deps.sh installs
# them, with liblwt-ocaml-dev and libalcotest-ocaml-dev for the tests).
OCAML_DIR := bindings/ocaml
OCAML_VENDOR := $(OCAML_DIR)/src/libpith.a $(OCAML_DIR)/src/dllpith.so $(OCAML_DIR)/src/include/pith.h $(OCAML_DIR)/src/include/pith/host.h

.PHONY: ocaml test-ocaml
$(OCAML_DIR)/src/libpith.a: $(BUILD)/libpith.a
	cp $< $@
$(OCAML_DIR)/src/dllpith.so: $(BUILD)/libpith.so
	cp $< $@
$(OCAML_DIR)/src/include/pith.h: include/pith.h
	@mkdir -p $(dir $@)
	cp $< $@
$(OCAML_DIR)/src/include/pith/host.h: include/pith/host.h
	@mkdir -p $(dir $@)
	cp $< $@

ocaml: $(OCAML_VENDOR)
	cd $(OCAML_DIR) && dune build 2>&1

test-ocaml: $(OCAML_VENDOR)
	@tools/run-suite.sh $(BUILD) ocaml bash tests/ocaml/run.sh
