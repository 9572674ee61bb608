// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Model of Lido's LidoLocator for the stakewallet devnet: the getters of
// lidofinance/core contracts/0.8.9/LidoLocator.sol that a wallet uses, as
// immutables set by the constructor. accountingOracle() returns the devnet
// oracle account, which Lido and the queue trust for their model-only
// entry points. No model-only functions.
contract LidoLocator {
    address public immutable lido;
    address public immutable wstETH;
    address public immutable withdrawalQueue;
    address public immutable accountingOracle;

    constructor(address _lido, address _wstETH, address _withdrawalQueue, address _accountingOracle) {
        lido = _lido;
        wstETH = _wstETH;
        withdrawalQueue = _withdrawalQueue;
        accountingOracle = _accountingOracle;
    }
}
