// SPDX-License-Identifier: GPL-3.0-only
pragma solidity ^0.8.24;

// Model of Rocket Pool's RocketNetworkBalances (v1.4, version 4,
// rocket-pool/rocketpool@fef41a4f contracts/contract/network/RocketNetworkBalances.sol):
// the balances the rETH exchange rate is computed from (total ETH and rETH
// supply, as of the last oracle update), the real submitBalances entry
// point, events and revert strings, and the RPIP-61 guardrails ("Not enough
// time has passed", "Change exceeds maximum").
//
// The model has one trusted node: the RocketStorage guardian (the devnet
// oracle), so one submission reaches consensus and updates the balances.
// Not modelled: executeUpdateBalances, duplicate-submission bookkeeping.
//
// MODEL-ONLY: the constructor takes initial balances (a network with
// history, so the rate does not start at exactly 1), and onlyTrustedNode
// checks the guardian instead of the oDAO membership.

interface RocketStorageForNetworkBalances {
    function getAddress(bytes32 _key) external view returns (address);
    function getGuardian() external view returns (address);
    function getUint(bytes32 _key) external view returns (uint256);
    function setUint(bytes32 _key, uint256 _value) external;
}

interface SettingsNetworkForNetworkBalances {
    function getSubmitBalancesEnabled() external view returns (bool);
    function getSubmitBalancesFrequency() external view returns (uint256);
    function getMaxRethDelta() external view returns (uint256);
}

contract RocketNetworkBalances {
    uint256 internal constant calcBase = 1 ether;
    uint8 public version = 4;
    RocketStorageForNetworkBalances internal immutable rocketStorage;

    event BalancesSubmitted(address indexed from, uint256 block, uint256 slotTimestamp, uint256 totalEth, uint256 stakingEth, uint256 rethSupply, uint256 blockTimestamp);
    event BalancesUpdated(uint256 indexed block, uint256 slotTimestamp, uint256 totalEth, uint256 stakingEth, uint256 rethSupply, uint256 blockTimestamp);

    modifier onlyTrustedNode(address _nodeAddress) {
        require(_nodeAddress == rocketStorage.getGuardian(), "Invalid trusted node");
        _;
    }

    constructor(RocketStorageForNetworkBalances _rocketStorageAddress, uint256 _totalEth, uint256 _rethSupply) {
        rocketStorage = _rocketStorageAddress;
        _rocketStorageAddress.setUint(keccak256("network.balance.total"), _totalEth);
        _rocketStorageAddress.setUint(keccak256("network.balance.reth.supply"), _rethSupply);
    }

    function getContractAddress(string memory _contractName) internal view returns (address) {
        address contractAddress = rocketStorage.getAddress(keccak256(abi.encodePacked("contract.address", _contractName)));
        require(contractAddress != address(0x0), "Contract not found");
        return contractAddress;
    }

    function getBalancesBlock() public view returns (uint256) {
        return rocketStorage.getUint(keccak256("network.balances.updated.block"));
    }

    function getBalancesTimestamp() public view returns (uint256) {
        return rocketStorage.getUint(keccak256("network.balances.updated.timestamp"));
    }

    function getTotalETHBalance() public view returns (uint256) {
        return rocketStorage.getUint(keccak256("network.balance.total"));
    }

    function getStakingETHBalance() public view returns (uint256) {
        return rocketStorage.getUint(keccak256("network.balance.staking"));
    }

    function getTotalRETHSupply() public view returns (uint256) {
        return rocketStorage.getUint(keccak256("network.balance.reth.supply"));
    }

    function getETHUtilizationRate() external view returns (uint256) {
        uint256 totalEthBalance = getTotalETHBalance();
        uint256 stakingEthBalance = getStakingETHBalance();
        if (totalEthBalance == 0) { return calcBase; }
        return calcBase * stakingEthBalance / totalEthBalance;
    }

    function submitBalances(uint256 _block, uint256 _slotTimestamp, uint256 _totalEth, uint256 _stakingEth, uint256 _rethSupply) external onlyTrustedNode(msg.sender) {
        SettingsNetworkForNetworkBalances settings = SettingsNetworkForNetworkBalances(getContractAddress("rocketDAOProtocolSettingsNetwork"));
        require(settings.getSubmitBalancesEnabled(), "Submitting balances is currently disabled");
        require(_block < block.number, "Balances can not be submitted for a future block");
        uint256 lastBalancesBlock = getBalancesBlock();
        require(_block >= lastBalancesBlock, "Network balances for a higher block are set");
        require(_stakingEth <= _totalEth, "Invalid network balances");
        emit BalancesSubmitted(msg.sender, _block, _slotTimestamp, _totalEth, _stakingEth, _rethSupply, block.timestamp);
        if (_block == lastBalancesBlock) {
            return;
        }
        _updateBalances(settings, _block, _slotTimestamp, _totalEth, _stakingEth, _rethSupply);
    }

    function _updateBalances(SettingsNetworkForNetworkBalances _settings, uint256 _block, uint256 _slotTimestamp, uint256 _totalEth, uint256 _stakingEth, uint256 _rethSupply) internal {
        uint256 frequency = _settings.getSubmitBalancesFrequency();
        uint256 lastTimestamp = getBalancesTimestamp();
        uint256 minimumTimestamp = lastTimestamp + (frequency * 95 / 100);
        require(block.timestamp >= minimumTimestamp, "Not enough time has passed");
        rocketStorage.setUint(keccak256("network.balances.updated.timestamp"), block.timestamp);
        uint256 currentTotalEthBalance = getTotalETHBalance();
        if (currentTotalEthBalance > 0) {
            uint256 currentRethSupply = getTotalRETHSupply();
            uint256 currentRatio = calcBase * currentTotalEthBalance / currentRethSupply;
            uint256 newRatio = calcBase * _totalEth / _rethSupply;
            uint256 maxChangePercent = _settings.getMaxRethDelta();
            uint256 maxChange = currentRatio * maxChangePercent / calcBase;
            if (newRatio > currentRatio) {
                require(newRatio - currentRatio <= maxChange, "Change exceeds maximum");
            } else {
                require(currentRatio - newRatio <= maxChange, "Change exceeds maximum");
            }
        }
        rocketStorage.setUint(keccak256("network.balances.updated.block"), _block);
        rocketStorage.setUint(keccak256("network.balance.total"), _totalEth);
        rocketStorage.setUint(keccak256("network.balance.staking"), _stakingEth);
        rocketStorage.setUint(keccak256("network.balance.reth.supply"), _rethSupply);
        emit BalancesUpdated(_block, _slotTimestamp, _totalEth, _stakingEth, _rethSupply, block.timestamp);
    }
}
