#!/usr/bin/env escript
%% -*- erlang -*-
%%! -noshell
%% Interop probe for the gossip heartbeat framing, done the way libcluster 3.5 Gossip does it:
%%   plaintext = "heartbeat::" ++ term_to_binary(Map)
%%   packet    = IV(16) ++ crypto_one_time(aes_256_cbc, sha256(Secret), IV, pkcs7_pad(plaintext), true)
%% Usage: escript heartbeat_probe.escript REQUEST_FILE
%% Each request line is "<cmd> <id> <args...>" with every argument hex-encoded ("-" = none). One answer line each:
%%   encrypt <id> <secret|-> <node> <ts|-> -> packet <id> <hex>   (no ts: a BEAM node's heartbeat)
%%   decrypt <id> <secret|-> <packet>     -> decoded <id> <map_size> <node kind> <node> <ts kind> <ts> <~w of the term>
%%   sample  <id>                         -> etf <id> <hex of term_to_binary(sample())>
%%   compare <id> <etf>                   -> equal <id> true|false <~w of the decoded term>
%% Failures answer "error <id> <reason>".

main([File]) ->
    {ok, Bin} = file:read_file(File),
    Lines = binary:split(Bin, <<"\n">>, [global, trim_all]),
    lists:foreach(fun(L) -> handle(binary:split(L, <<" ">>, [global, trim_all])) end, Lines);
main(_) ->
    io:format(standard_error, "usage: heartbeat_probe.escript REQUEST_FILE~n", []),
    halt(2).

handle([Cmd, Id | Args]) ->
    Answer = try run(Cmd, [unhex(A) || A <- Args]) of
                 Parts -> Parts
             catch Class:Reason -> [<<"error">>, io_lib:format("~w:~w", [Class, Reason])]
             end,
    [Tag | Rest] = Answer,
    io:format("~s ~s~s~n", [Tag, Id, [[" ", P] || P <- Rest]]).

run(<<"encrypt">>, [Secret, Node, Ts]) ->
    Map = case Ts of
              none -> #{node => binary_to_atom(Node, utf8)};   % a plain BEAM heartbeat
              _ -> #{node => binary_to_atom(Node, utf8), ts => Ts}
          end,
    Plain = <<"heartbeat::", (term_to_binary(Map))/binary>>,
    [<<"packet">>, hex(encrypt(Secret, Plain))];
run(<<"decrypt">>, [Secret, Packet]) ->
    <<"heartbeat::", Etf/binary>> = decrypt(Secret, Packet),
    Term = binary_to_term(Etf),
    Node = maps:get(node, Term),
    Ts = maps:get(ts, Term),
    [<<"decoded">>, integer_to_list(map_size(Term)), kind(Node), hex(atom_to_binary(Node, utf8)),
     kind(Ts), hex(Ts), io_lib:format("~w", [Term])];
run(<<"sample">>, []) ->
    [<<"etf">>, hex(term_to_binary(sample()))];
run(<<"compare">>, [Etf]) ->
    Term = binary_to_term(Etf),
    [<<"equal">>, atom_to_list(Term =:= sample()), io_lib:format("~w", [Term])].

%% The term the TS test builds too: one of every kind the codec supports.
sample() ->
    #{node => 'a@127.0.0.1',
      ts => <<"{\"v\":1}">>,
      ints => [0, 255, 256, -1, -2147483648, 2147483647, 2147483648, -(1 bsl 40), 1 bsl 64, -(1 bsl 70)],
      floats => [1.5, -0.25, 1.0e300],
      str => "hi",
      tuple => {ok, <<>>, {}},
      big_tuple => list_to_tuple(lists:seq(0, 299)),
      binary_to_atom(unicode:characters_to_binary([26085, 26412]), utf8) => #{1 => [#{}]},
      <<"k">> => [true, false, nil]}.

kind(T) when is_atom(T) -> "atom";
kind(T) when is_binary(T) -> "binary";
kind(_) -> "other".

encrypt(none, Plain) -> Plain;
encrypt(Secret, Plain) ->
    IV = crypto:strong_rand_bytes(16),
    <<IV/binary, (crypto:crypto_one_time(aes_256_cbc, crypto:hash(sha256, Secret), IV, pad(Plain), true))/binary>>.

decrypt(none, Packet) -> Packet;
decrypt(Secret, <<IV:16/binary, Cipher/binary>>) ->
    unpad(crypto:crypto_one_time(aes_256_cbc, crypto:hash(sha256, Secret), IV, Cipher, false)).

%% PKCS#7, as libcluster's pad/2.
pad(Data) ->
    N = 16 - (byte_size(Data) rem 16),
    <<Data/binary, (binary:copy(<<N>>, N))/binary>>.

%% Stricter than libcluster's unpad (which only reads the last byte): every padding byte must be N.
unpad(Data) ->
    N = binary:last(Data),
    true = N >= 1 andalso N =< 16,
    Len = byte_size(Data) - N,
    <<Body:Len/binary, Pad/binary>> = Data,
    Pad = binary:copy(<<N>>, N),
    Body.

unhex(<<"-">>) -> none;
unhex(H) -> binary:decode_hex(H).

hex(B) -> binary:encode_hex(B).
