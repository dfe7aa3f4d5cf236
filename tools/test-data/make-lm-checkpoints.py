#!/usr/bin/python3
"""Writes the authors'-format checkpoints of @longshort/lm's tests from the causal-lm fixture's parameters.

Run with Debian's torch (apt-get install python3-torch; torch 1.13):
    /usr/bin/python3 tools/test-data/make-lm-checkpoints.py
Into packages/lm/test-data/:
- causal-lm-small.state-dict.pt: torch.save(model.state_dict()) of the fixture's TransformerLSModel
  (float32, the authors' key names, out_emb.weight sharing in_emb.weight's storage as in the model).
- causal-lm-small.fairseq.pt: a fairseq checkpoint of the same model as `fairseq-train --fp16` writes
  it: {'args': argparse.Namespace, 'model': {'decoder.model.<key>': float16 tensor}, optimizer
  history, extra state}.
- dict.txt: a fairseq character dictionary for it (enwik8 style: each symbol a byte value in
  decimal, then madeupword padding to a multiple of 8; fairseq prepends <s>, <pad>, </s>, <unk>).
"""

import argparse
import collections
import json
import struct
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / 'fixtures' / 'reference' / 'causal-lm-small.safetensors'
OUT = REPO / 'packages' / 'lm' / 'test-data'
NUMPY_DTYPES = {'F32': '<f4', 'I32': '<i4', 'U8': 'u1'}


def read_safetensors(path):
    """The tensors of a safetensors file (8-byte header length, JSON header, raw data), parsed by hand."""
    raw = path.read_bytes()
    (length,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + length])
    metadata = header.pop('__metadata__', {})
    data = raw[8 + length:]
    tensors = collections.OrderedDict()
    for name, info in header.items():
        start, end = info['data_offsets']
        array = np.frombuffer(data[start:end], dtype=NUMPY_DTYPES[info['dtype']]).reshape(info['shape'])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors, metadata


def fixture_state_dict():
    tensors, metadata = read_safetensors(FIXTURE)
    config = json.loads(metadata['config'])
    state = collections.OrderedDict((k, v) for k, v in tensors.items() if not k.startswith(('input.', 'output.', 'grad.')))
    assert torch.equal(state['in_emb.weight'], state['out_emb.weight'])
    state['out_emb.weight'] = state['in_emb.weight']  # tied, as in the model: one storage, two keys
    return state, config


def dictionary_lines(vocab_size):
    # enwik8's dictionary holds the byte values in decimal; this one holds newline-free printable bytes
    # (the real one has no 10 either: prep_enwik8.py turns newlines into line ends, i.e. </s>).
    symbols = [str(b) for b in [32, 101, 116, 97, 111, 105, 110, 115, 104, 114, 100, 108, 99, 117, 109, 102, 103,
                                 121, 112, 119, 98, 46, 44, 118, 107, 84, 73, 65, 83, 72, 77, 66, 60]]
    padding = vocab_size - 4 - len(symbols)
    assert padding >= 0 and (4 + len(symbols) + padding) % 8 == 0
    counts = range(10_000, 10_000 - 100 * len(symbols), -100)
    lines = [f'{s} {c}' for s, c in zip(symbols, counts)] + [f'madeupword{i:04d} 0' for i in range(padding)]
    return lines


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    state, config = fixture_state_dict()

    plain = OUT / 'causal-lm-small.state-dict.pt'
    torch.save(state, plain)

    half = {k: v.half() for k, v in state.items() if k != 'out_emb.weight'}
    half['out_emb.weight'] = half['in_emb.weight']
    model = collections.OrderedDict((f'decoder.model.{k}', half[k]) for k in state)
    args = argparse.Namespace(
        arch='transformer-ls', task='truncated_bptt_lm', criterion='char_level_lm_loss', fp16=True,
        vocab_size=config['vocab_size'], d_model=config['d_model'], d_inner=config['d_inner'], n_head=config['n_head'],
        n_layer=config['n_layer'], mem_len=config['mem_len'], chunk_size=config['chunk_size'],
        chunk_rank=config['chunk_rank'], window_len=config['window_len'], pre_ln=config['pre_ln'],
        use_gelu=config['use_gelu'], use_bias=config['use_bias'], dropout=0.2, emb_dropout=0.2,
        clamp_len=-1, cpos_clamp_len=-1, tokens_per_sample=config['segment_len'], lr=[2.5e-4], seed=2,
    )
    fairseq = OUT / 'causal-lm-small.fairseq.pt'
    torch.save({
        'args': args,
        'model': model,
        'optimizer_history': [{'criterion_name': 'CharLevelLMLoss', 'optimizer_name': 'FP16Optimizer',
                               'lr_scheduler_state': {'best': 1.02}, 'num_updates': 430000}],
        'extra_state': {'epoch': 12, 'val_loss': 1.02, 'train_iterator': {'epoch': 12, 'iterations_in_epoch': 3}},
        'last_optimizer_state': None,
    }, fairseq)
    (OUT / 'dict.txt').write_text('\n'.join(dictionary_lines(config['vocab_size'])) + '\n')

    # What torch reads back must be the fixture's values (float16-rounded in the fairseq file).
    loaded = torch.load(plain)
    assert all(torch.equal(loaded[k], v) for k, v in state.items())
    assert loaded['out_emb.weight'].data_ptr() == loaded['in_emb.weight'].data_ptr()
    loaded = torch.load(fairseq)['model']
    assert all(torch.equal(loaded[f'decoder.model.{k}'], v.half()) for k, v in state.items())
    for path in (plain, fairseq):
        assert path.stat().st_size < 400_000, f'{path} is too large for the repository'
        print(f'{path.relative_to(REPO)}: {path.stat().st_size} bytes')


if __name__ == '__main__':
    main()
